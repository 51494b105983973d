/// `redis://[:PASSWORD@]HOST[:PORT][/DB]` → ``ShardEndpoint``.
///
/// Problems are reported without the URL's text: a password may sit anywhere in a malformed
/// URL, so only a scheme, a port or a database made of safe characters is ever repeated.
enum ShardEndpointParser {
    static func parse(_ url: String) throws(ShardURLProblem) -> ShardEndpoint {
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { throw .forbiddenCharacter }
        guard let separator = url.firstRange(of: "://") else {
            throw .unsupportedScheme(found: nil)
        }
        let scheme = url[..<separator.lowerBound]
        guard scheme.lowercased() == "redis" else {
            throw .unsupportedScheme(found: safeScheme(scheme))
        }
        let rest = url[separator.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else { throw .queryOrFragment }

        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]

        var hostPort = authority
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            guard userInfo.first == ":" else { throw .userName }
            let encoded = userInfo.dropFirst()
            guard !encoded.isEmpty else { throw .emptyPassword }
            guard let decoded = PercentEncoding.decode(encoded) else { throw .badPasswordEscape }
            password = decoded
        }

        let (host, portText) = try splitHostPort(hostPort)
        let port = try parsePort(portText)
        let database = try parseDatabase(path)
        return ShardEndpoint(validHost: host, port: port, database: database, password: password)
    }

    /// `host`, `host:port`, `[v6]`, `[v6]:port` → the lower-case host and the port text (nil
    /// when there is no `:`).
    private static func splitHostPort(
        _ text: Substring
    ) throws(ShardURLProblem) -> (String, Substring?) {
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost }
            let host = text[text.index(after: text.startIndex)..<close].lowercased()
            guard !host.isEmpty else { throw .missingHost }
            guard isValidHost(host, bracketed: true) else { throw .invalidHost }
            let after = text[text.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.first == ":" else { throw .invalidHost }
            return (host, after.dropFirst())
        }
        let colon = text.firstIndex(of: ":")
        let host = text[..<(colon ?? text.endIndex)].lowercased()
        guard !host.isEmpty else { throw .missingHost }
        guard isValidHost(host, bracketed: false) else { throw .invalidHost }
        guard let colon else { return (host, nil) }
        let portText = text[text.index(after: colon)...]
        // A second ':' means an unbracketed IPv6 address or a mistake: both are host problems.
        guard !portText.contains(":") else { throw .invalidHost }
        return (host, portText)
    }

    private static func parsePort(_ text: Substring?) throws(ShardURLProblem) -> Int {
        guard let text else { return ShardEndpoint.defaultPort }
        guard !text.isEmpty else { throw .emptyPort }
        guard text.utf8.allSatisfy(isDigit) else { throw .invalidPort }
        guard text.utf8.count <= 5, let port = Int(text), (1...65535).contains(port) else {
            throw .portOutOfRange(shortDigits(text))
        }
        return port
    }

    private static func parseDatabase(_ path: Substring) throws(ShardURLProblem) -> Int {
        let digits = path.dropFirst()  // the '/'
        if digits.isEmpty { return 0 }
        guard digits.utf8.allSatisfy(isDigit) else { throw .invalidDatabase }
        guard digits.utf8.count <= 3, let database = Int(digits),
            (0...ShardEndpoint.maxDatabase).contains(database)
        else { throw .databaseOutOfRange(shortDigits(digits)) }
        return database
    }

    /// Host names and IPv4 addresses: letters, digits, `-`, `.`, `_`. Inside brackets (IPv6):
    /// hex digits, `:` and `.` (for an embedded IPv4 address), with at least one `:`.
    static func isValidHost(_ host: String, bracketed: Bool) -> Bool {
        if bracketed {
            return host.contains(":")
                && host.utf8.allSatisfy {
                    isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
                }
        }
        return host.utf8.allSatisfy { byte in
            isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_")
        }
    }

    /// Schemes people put in Redis URLs by mistake, repeated in messages; any other text before
    /// `://` is not shown (it might be a misplaced password).
    private static let knownSchemes: Set<String> = [
        "rediss", "unix", "redis+unix", "redis-socket", "redis-sentinel", "valkey", "valkeys",
        "tcp", "http", "https",
    ]

    /// The scheme, lower case, when it is a well-known one; nil otherwise.
    private static func safeScheme(_ scheme: Substring) -> String? {
        let lowered = scheme.lowercased()
        return knownSchemes.contains(lowered) ? lowered : nil
    }

    /// A digit string for a message, cut short when long.
    private static func shortDigits(_ text: Substring) -> String {
        text.count <= 24 ? String(text) : String(text.prefix(24)) + "…"
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
}
