import Foundation

/// How a ``Fetcher`` behaves: limits, timeouts, identity and address filtering.
public struct FetcherOptions: Sendable {
    /// Bodies larger than this are aborted and reported (default 10 MiB), after decoding.
    public var maximumBodySize: Int
    /// How long connecting may take (default 10 s).
    public var connectTimeout: Duration
    /// How long a whole transfer may take, redirects included (default 30 s).
    public var totalTimeout: Duration
    /// Redirects followed before giving up (default 5).
    public var maximumRedirects: Int
    /// Connections to one host at once; more transfers to it wait their turn (default 6).
    public var connectionsPerHost: Int
    /// Idle connections kept open for the next poll of their host (default 10,000; 0: none),
    /// like nginx's upstream `keepalive`. Shared out among the loops, each of which closes the
    /// connection idle longest when it holds more than its share; transfers ending at the
    /// same moment may keep a few more for a turn, and libcurl closes any idle for 118 s. A
    /// kept HTTPS connection holds ~40 KB (~95 KB with HTTP/2); a handshake saved is ~0.3 ms
    /// of CPU (BENCHMARKS.md, "The daemon over HTTPS").
    public var idleConnections: Int
    /// libcurl multi handles, each on a thread of its own, that the hosts are spread over
    /// (default 8). libcurl 7.88 walks a multi handle's whole connection cache each time a
    /// transfer is removed, so one handle's cost per poll grows with the connections open
    /// (BENCHMARKS.md, "Many connections in flight"); several keep each walk short.
    public var transferLoops: Int
    /// The URL in the User-Agent where site owners learn who polls them and how to reach us.
    public var contactURL: String
    /// Refuse private and loopback addresses (default true). Link-local ones and clouds'
    /// metadata services are refused either way unless `allowedAddresses` names them (see
    /// ``AddressPolicy``). Checked on the address actually connected to, so neither a DNS
    /// name nor a redirect gets round it.
    public var refusePrivateAddresses: Bool
    /// Addresses or CIDR ranges always allowed (`127.0.0.2`, `169.254.0.0/16`).
    public var allowedAddresses: Set<String>
    /// False: no address is refused (the caller's own endpoint, such as the HTTP sink).
    public var checksAddresses: Bool
    /// The longest `Retry-After` honoured (default 24 h).
    public var maximumRetryAfter: Duration
    /// The CA certificates (PEM) that HTTPS servers must chain to; nil: the system bundle
    /// (libcurl's built-in default, `/etc/ssl/certs/ca-certificates.crt` on Debian). Loaded
    /// once and cached (see ``CurlMulti``), never per connection.
    public var caFile: String?
    /// HTTP/2 with HTTPS servers that offer it through ALPN (default true): many feeds of one
    /// host multiplexed on one connection; false: HTTP/1.1 only (some CDNs treat HTTP/2 clients
    /// differently). Plain HTTP is always HTTP/1.1.
    public var http2: Bool

    public init(
        maximumBodySize: Int = 10 << 20, connectTimeout: Duration = .seconds(10), totalTimeout: Duration = .seconds(30),
        maximumRedirects: Int = 5, connectionsPerHost: Int = 6, idleConnections: Int = 10_000,
        contactURL: String = "https://github.com/hubdiffer/hubdiffer", refusePrivateAddresses: Bool = true,
        allowedAddresses: Set<String> = [], checksAddresses: Bool = true, maximumRetryAfter: Duration = .seconds(86_400),
        caFile: String? = nil, http2: Bool = true, transferLoops: Int = 8
    ) {
        self.transferLoops = transferLoops
        self.caFile = caFile
        self.http2 = http2
        self.checksAddresses = checksAddresses
        self.maximumBodySize = maximumBodySize
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maximumRedirects = maximumRedirects
        self.connectionsPerHost = connectionsPerHost
        self.idleConnections = idleConnections
        self.contactURL = contactURL
        self.refusePrivateAddresses = refusePrivateAddresses
        self.allowedAddresses = allowedAddresses
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// Why `path` cannot serve as a CA file (unreadable, or no PEM certificate in it); nil:
    /// it can. Checked before a daemon or a command starts, not at the first HTTPS poll.
    public static func caFileProblem(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            return "\(path) cannot be read"
        }
        guard data.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            return "\(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        }
        return nil
    }

    /// `HubDiffer/VERSION (+CONTACT)`.
    public var userAgent: String { "HubDiffer/\(HubDifferVersion.current) (feed poller; +\(contactURL))" }
}
