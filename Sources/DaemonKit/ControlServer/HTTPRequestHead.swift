/// The request line and header fields of an HTTP/1.x request, checked.
struct HTTPRequestHead: Sendable {
    var method: HTTPMethod
    /// The path as sent (still percent-encoded), without the query.
    var rawPath: String
    /// The query as sent, without the `?`; empty when there is none.
    var rawQuery: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    var headers: HTTPHeaderFields
    /// The body's length from `Content-Length` (0 without one).
    var contentLength: Int
    /// Whether the client waits for `100 Continue` before sending the body.
    var expectsContinue: Bool
}

/// A request refused while it was read: the status and a one-line reason for the body.
struct HTTPRequestRejection: Error, Equatable {
    var status: Int
    var reason: String
}

/// Reads an `HTTPRequestHead` from the start of a connection's bytes.
enum HTTPRequestHeadParser {
    enum Outcome: Equatable {
        /// The blank line that ends the head has not arrived yet.
        case incomplete
        /// The head, and where the body starts in the bytes.
        case complete(bodyOffset: Int)
        case rejected(HTTPRequestRejection)
    }

    static let maxHeaderFields = 100

    /// Looks for a complete head in `bytes`; `head` is set when the outcome is `.complete`.
    /// Lines may end in CRLF or a bare LF; empty lines before the request line are skipped.
    static func parse(_ bytes: [UInt8], maxHeaderBytes: Int, head: inout HTTPRequestHead?) -> Outcome {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                var line = bytes[lineStart..<index]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                lineStart = index + 1
                if line.isEmpty {
                    if lines.isEmpty { index += 1; continue }  // leading blank lines
                    switch makeHead(lines) {
                    case .success(let parsed):
                        head = parsed
                        return .complete(bodyOffset: lineStart)
                    case .failure(let rejection):
                        return .rejected(rejection)
                    }
                }
                lines.append(line)
            }
            index += 1
            if index > maxHeaderBytes {
                return .rejected(.init(status: 431, reason: "the request head is longer than \(maxHeaderBytes) bytes"))
            }
        }
        return .incomplete
    }

    private static func makeHead(_ lines: [ArraySlice<UInt8>]) -> Result<HTTPRequestHead, HTTPRequestRejection> {
        let requestLine = lines[0].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard requestLine.count == 3 else { return .failure(bad("the request line is not METHOD TARGET VERSION")) }
        let (method, target, version) = (requestLine[0], requestLine[1], requestLine[2])
        guard !method.isEmpty, method.allSatisfy(HTTPHeaderFields.isTokenByte) else { return .failure(bad("bad method")) }
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return .failure(bad("the target must be a path starting with /"))
        }
        let minorVersion: Int
        switch Array(version) {
        case Array("HTTP/1.1".utf8): minorVersion = 1
        case Array("HTTP/1.0".utf8): minorVersion = 0
        case let other where other.starts(with: Array("HTTP/".utf8)):
            return .failure(.init(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are spoken here"))
        default: return .failure(bad("bad HTTP version"))
        }

        guard lines.count - 1 <= maxHeaderFields else {
            return .failure(.init(status: 431, reason: "more than \(maxHeaderFields) header fields"))
        }
        let headers: HTTPHeaderFields
        switch HTTPHeaderFields.parse(lines: lines.dropFirst()) {
        case .success(let fields): headers = fields
        case .failure(let error): return .failure(bad(error.reason))
        }

        if !headers.values("Transfer-Encoding").isEmpty {
            if !headers.values("Content-Length").isEmpty {
                return .failure(bad("both Transfer-Encoding and Content-Length"))
            }
            return .failure(.init(status: 501, reason: "chunked request bodies are not supported; send Content-Length"))
        }
        let contentLength: Int
        switch headers.contentLength() {
        case .success(let length): contentLength = length ?? 0
        case .failure(let error): return .failure(bad(error.reason))
        }
        let expectsContinue =
            minorVersion == 1 && headers["Expect"].map { HTTPHeaderFields.sameName($0, "100-continue") } == true

        let targetBytes = Array(target)
        let question = targetBytes.firstIndex(of: UInt8(ascii: "?"))
        return .success(
            HTTPRequestHead(
                method: HTTPMethod(rawValue: String(decoding: method, as: UTF8.self)),
                rawPath: String(decoding: targetBytes[..<(question ?? targetBytes.endIndex)], as: UTF8.self),
                rawQuery: question.map { String(decoding: targetBytes[($0 + 1)...], as: UTF8.self) } ?? "",
                minorVersion: minorVersion, headers: headers, contentLength: contentLength,
                expectsContinue: expectsContinue))
    }

    private static func bad(_ reason: String) -> HTTPRequestRejection { .init(status: 400, reason: reason) }
}
