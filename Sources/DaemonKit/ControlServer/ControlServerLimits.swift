import Glibc

/// The bounds a ``ControlServer`` holds every client to.
public struct ControlServerLimits: Sendable {
    /// Longest body accepted; a larger `Content-Length` is answered 413 without reading it.
    public var maxBodyBytes: Int = 64 * 1024
    /// Longest request line plus header fields; more is answered 431.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Time from accepting a connection to having its request head (request line and header
    /// fields): a client that sent nothing by then is closed, one that sent part of a head is
    /// answered 408. Short, so that silent connections cannot hold the endpoint's slots.
    public var headTimeout: Duration = .seconds(2)
    /// Time from accepting a connection to having its whole request, body included; a slower
    /// client is answered 408 (or closed, when it sent nothing).
    public var requestTimeout: Duration = .seconds(5)
    /// Time a handler may take; then the client is answered 503 and the late answer dropped.
    public var handlerTimeout: Duration = .seconds(10)
    /// Time for the client to take the response; then the connection is closed.
    public var writeTimeout: Duration = .seconds(5)
    /// Connections at once; a further one is answered 503 at once and closed. Never more than
    /// a quarter of the process's descriptor limit (see ``connectionCap(descriptorLimit:)``).
    public var maxConnections: Int = 1024
    /// Refusals and timeouts are logged once per kind, then at most once per interval with how
    /// many were not logged since.
    public var warningInterval: Duration = .seconds(60)

    public init() {}

    /// The connections at once actually allowed: ``maxConnections``, but at most a quarter of
    /// `descriptorLimit` (the soft `RLIMIT_NOFILE` when nil), so that the endpoint cannot take
    /// the descriptors the daemon's polls need; at least one.
    public func connectionCap(descriptorLimit: Int? = nil) -> Int {
        let limit = descriptorLimit ?? Self.softDescriptorLimit()
        return max(1, min(maxConnections, limit / 4))
    }

    /// The soft `RLIMIT_NOFILE`; `Int.max` when unlimited or unknown.
    static func softDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest rlim_t
    }
}
