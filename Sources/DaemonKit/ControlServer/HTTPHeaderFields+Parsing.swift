/// The header field lines of an HTTP/1.x message, read one way for requests (the server) and
/// responses (``ControlClient``).
extension HTTPHeaderFields {
    /// Parses `lines` (each without its line end) as header fields, or the reason they are
    /// malformed: folded lines, a line without a colon, a name that is not a token, a control
    /// character in a value. Values lose surrounding spaces and tabs.
    static func parse(lines: some Sequence<ArraySlice<UInt8>>) -> Result<HTTPHeaderFields, HTTPHeaderLineError> {
        var headers = HTTPHeaderFields()
        for line in lines {
            guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
                return .failure(.init(reason: "folded header lines are not accepted"))
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.init(reason: "a header line has no colon")) }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(.init(reason: "bad header field name")) }
            let value = line[line.index(after: colon)...]
            guard value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .failure(.init(reason: "a control character in a header value"))
            }
            headers.append(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingSpaces())
        }
        return .success(headers)
    }

    /// The length `Content-Length` gives (nil without the field), or a failure when it is not
    /// one decimal number (fields that repeat it must agree).
    func contentLength() -> Result<Int?, HTTPHeaderLineError> {
        let lengths = Set(values("Content-Length"))
        guard let text = lengths.first else { return .success(nil) }
        guard lengths.count == 1, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let length = Int(text)
        else { return .failure(.init(reason: "bad Content-Length")) }
        return .success(length)
    }

    /// RFC 9110 `tchar`: a byte of a method or a field name.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

/// Why header field lines could not be read: one line of text.
struct HTTPHeaderLineError: Error, Equatable {
    var reason: String
}
