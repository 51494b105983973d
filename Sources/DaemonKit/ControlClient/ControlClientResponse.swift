/// An HTTP answer as a ``ControlClient`` received it.
public struct ControlClientResponse: Sendable, Equatable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The header fields, in order.
    public var headers: HTTPHeaderFields
    /// The body: `Content-Length` bytes, or everything up to the end of the connection without one.
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaderFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (bytes that are not UTF-8 become U+FFFD).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Reads a whole response, received up to the end of the connection. Lines may end in CRLF
    /// or a bare LF; a response to `HEAD` (`headOnly`) has no body whatever its length says.
    init(parsing bytes: [UInt8], headOnly: Bool = false) throws(ControlClientError) {
        guard !bytes.isEmpty else { throw .badResponse("the connection closed without an answer") }
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var bodyStart: Int?
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            var line = bytes[lineStart..<index]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lineStart = index + 1
            if line.isEmpty {
                bodyStart = lineStart
                break
            }
            lines.append(line)
        }
        guard let bodyStart, let statusLine = lines.first else {
            throw .badResponse("the answer ends before its header fields do (\(bytes.count) bytes)")
        }
        status = try Self.status(statusLine)
        switch HTTPHeaderFields.parse(lines: lines.dropFirst()) {
        case .success(let fields): headers = fields
        case .failure(let error): throw .badResponse(error.reason)
        }
        let rest = bytes[bodyStart...]
        switch headers.contentLength() {
        case .failure(let error):
            throw .badResponse(error.reason)
        case .success(_) where headOnly:
            body = []
        case .success(let length?):
            guard rest.count >= length else {
                throw .badResponse("the body was cut short: \(rest.count) of \(length) bytes")
            }
            body = Array(rest.prefix(length))
        case .success(nil):
            body = Array(rest)
        }
    }

    /// The code of `HTTP/1.x NNN reason` (the reason may be empty or missing).
    private static func status(_ line: ArraySlice<UInt8>) throws(ControlClientError) -> Int {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        let text = String(decoding: line.prefix(80), as: UTF8.self)
        guard parts.count >= 2, parts[0].starts(with: Array("HTTP/1.".utf8)), parts[0].count == 8,
            parts[1].count == 3, parts[1].allSatisfy({ (0x30...0x39).contains($0) }),
            let code = Int(String(decoding: parts[1], as: UTF8.self)), code >= 100
        else { throw .badResponse("not an HTTP/1.x status line: \"\(text)\"") }
        return code
    }
}
