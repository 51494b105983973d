import URLEncoding

/// One Redis server (and database) that holds the entries of some feed-ID ranges.
///
/// Written in `shards.conf` as `redis://[:PASSWORD@]HOST[:PORT][/DB]`:
/// - the scheme is `redis://` (no TLS, no unix sockets);
/// - `HOST` is a host name, an IPv4 address, or an IPv6 address in brackets (`[::1]`); it is
///   compared and rendered in lower case;
/// - `PORT` is 1–65535 and defaults to 6379, Redis's own port (as in `redis-cli`);
/// - `DB` is 0–15 and defaults to 0;
/// - `PASSWORD` is optional and may be percent-encoded (`%40` for `@`); it is sent with
///   `AUTH PASSWORD` (the default user), so a user name before the `:` is refused.
///
/// The password is kept for connecting (``url``) but never shown: ``description``,
/// ``debugDescription``, ``redactedURL`` and the reflection used by `dump` all render it as
/// `***`.
public struct ShardEndpoint: Sendable, Hashable {
    /// The default Redis port, used when the URL names none.
    public static let defaultPort = 6379
    /// The highest database number accepted (Redis's default `databases 16`).
    public static let maxDatabase = 15

    /// The host name or IP address, lower case, IPv6 without brackets.
    public let host: String
    /// The TCP port, 1–65535.
    public let port: Int
    /// The Redis database number, 0–15.
    public let database: Int
    /// The password for `AUTH`, decoded; nil when the server needs none.
    public let password: String?

    /// Parses and validates a server URL, `redis://[:PASSWORD@]HOST[:PORT][/DB]`.
    ///
    /// - Throws: ``ShardMapError/invalidEndpoint(problem:)`` saying which part is wrong.
    public init(url: String) throws(ShardMapError) {
        do {
            self = try ShardEndpointParser.parse(url)
        } catch {
            throw .invalidEndpoint(problem: error)
        }
    }

    /// Makes an endpoint from its parts, validated as ``init(url:)`` validates them.
    ///
    /// - Throws: ``ShardMapError/invalidEndpoint(problem:)`` for a bad host, port or database.
    public init(
        host: String, port: Int = ShardEndpoint.defaultPort, database: Int = 0,
        password: String? = nil
    ) throws(ShardMapError) {
        let lowered = host.lowercased()
        guard !lowered.isEmpty else { throw .invalidEndpoint(problem: .missingHost) }
        guard RedisURL.isValidHost(lowered, bracketed: lowered.contains(":")) else {
            throw .invalidEndpoint(problem: .invalidHost)
        }
        guard (1...65535).contains(port) else {
            throw .invalidEndpoint(problem: .portOutOfRange(String(port)))
        }
        guard (0...Self.maxDatabase).contains(database) else {
            throw .invalidEndpoint(problem: .databaseOutOfRange(String(database)))
        }
        if let password, password.isEmpty { throw .invalidEndpoint(problem: .emptyPassword) }
        self.init(validHost: lowered, port: port, database: database, password: password)
    }

    /// Memberwise, for values already validated.
    init(validHost host: String, port: Int, database: Int, password: String?) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
    }

    /// The host as it appears in a URL: IPv6 addresses in brackets.
    public var urlHost: String { host.contains(":") ? "[\(host)]" : host }

    /// The full URL, password included (percent-encoded), for connecting and for writing
    /// `shards.conf`. Always names the port and the database. Never log it: use
    /// ``redactedURL``.
    public var url: String {
        let auth = password.map { ":\(PercentEncoding.encode($0))@" } ?? ""
        return "redis://\(auth)\(urlHost):\(port)/\(database)"
    }

    /// The URL without the password: `redis://host:6379/0`. What names a server where a
    /// password must not be written (a key in Redis); ``sameServer(_:)`` finds it again.
    public var urlWithoutPassword: String { "redis://\(urlHost):\(port)/\(database)" }

    /// Whether `other` is the same server and database, whatever its password.
    public func sameServer(_ other: ShardEndpoint) -> Bool {
        host == other.host && port == other.port && database == other.database
    }

    /// The URL with the password shown as `***`: `redis://:***@host:6379/0`. Safe to log.
    public var redactedURL: String {
        let auth = password == nil ? "" : ":***@"
        return "redis://\(auth)\(urlHost):\(port)/\(database)"
    }
}

extension ShardEndpoint: CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// ``redactedURL``: the password never shows.
    public var description: String { redactedURL }

    /// `ShardEndpoint(redis://:***@host:6379/0)`: the password never shows.
    public var debugDescription: String { "ShardEndpoint(\(redactedURL))" }

    /// Reflection (`dump`, debuggers) sees the password as `***`.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "database": database,
                "password": password.map { _ in "***" } as Any,
            ], displayStyle: .struct)
    }
}
