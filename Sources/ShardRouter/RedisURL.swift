import URLEncoding

/// A `redis://[:PASSWORD@]HOST[:PORT][/PATH][?QUERY]` URL split into its parts and checked:
/// the one reader of every Redis URL the program takes (a server of `shards.conf`, see
/// ``ShardEndpoint/init(url:)``, and the Redis stream of `--sink`). What follows the
/// authority is the caller's to read: a shard server names a database there, a sink a stream
/// key.
///
/// - the scheme is `redis` in any case (no TLS, no unix sockets);
/// - `HOST` is a host name, an IPv4 address, or an IPv6 address in brackets; kept lower case;
/// - `PORT` is 1–65535, 6379 (Redis's own) when the URL names none;
/// - `PASSWORD` may be percent-encoded; a user name before the `:` is refused.
///
/// Problems are reported without the URL's text: a password may sit anywhere in a malformed
/// URL (see ``ShardURLProblem``).
public struct RedisURL: Sendable, Equatable {
    /// The host name or IP address, lower case, an IPv6 address without its brackets.
    public let host: String
    /// The TCP port, 1–65535.
    public let port: Int
    /// The password, decoded; nil when the URL has none.
    public let password: String?
    /// What follows the authority, from its `/` on; empty when nothing does.
    public let path: Substring
    /// What follows the `?`; nil when the URL has no `?`.
    public let query: Substring?

    /// Splits and checks `url`.
    ///
    /// - Parameter allowingQuery: whether a `?query` may follow the path (a `#fragment`
    ///   never may).
    /// - Throws: the ``ShardURLProblem`` of the first part that is wrong.
    public init(parsing url: String, allowingQuery: Bool) throws(ShardURLProblem) {
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { throw .forbiddenCharacter }
        guard let separator = url.firstRange(of: "://") else {
            throw .unsupportedScheme(found: nil)
        }
        let scheme = url[..<separator.lowerBound]
        guard scheme.lowercased() == "redis" else {
            throw .unsupportedScheme(found: Self.safeScheme(scheme))
        }
        var rest = url[separator.upperBound...]
        guard !rest.contains("#"), allowingQuery || !rest.contains("?") else { throw .queryOrFragment }
        query = rest.firstIndex(of: "?").map { rest[rest.index(after: $0)...] }
        if let mark = rest.firstIndex(of: "?") { rest = rest[..<mark] }

        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        path = rest[authorityEnd...]

        var hostPort = authority
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            guard userInfo.first == ":" else { throw .userName }
            let encoded = userInfo.dropFirst()
            guard !encoded.isEmpty else { throw .emptyPassword }
            guard let decoded = PercentEncoding.decoded(encoded) else { throw .badPasswordEscape }
            password = decoded
        }
        self.password = password
        let (host, portText) = try Self.splitHostPort(hostPort)
        self.host = host
        port = try Self.parsePort(portText)
    }

    /// `host`, `host:port`, `[v6]`, `[v6]:port` → the lower-case host and the port text (nil
    /// when there is no `:`).
    private static func splitHostPort(_ text: Substring) throws(ShardURLProblem) -> (String, Substring?) {
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
        // A second ':' means an unbracketed IPv6 address or a mistake: both are host problems.
        guard text.count(where: { $0 == ":" }) <= 1 else { throw .invalidHost }
        let colon = text.firstIndex(of: ":")
        let host = text[..<(colon ?? text.endIndex)].lowercased()
        guard !host.isEmpty else { throw .missingHost }
        guard isValidHost(host, bracketed: false) else { throw .invalidHost }
        return (host, colon.map { text[text.index(after: $0)...] })
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
    static func shortDigits(_ text: Substring) -> String {
        text.count <= 24 ? String(text) : String(text.prefix(24)) + "…"
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
}
