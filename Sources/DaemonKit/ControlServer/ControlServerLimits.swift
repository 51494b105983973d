/// The bounds a ``ControlServer`` holds every client to.
public struct ControlServerLimits: Sendable {
    /// Longest body accepted; a larger `Content-Length` is answered 413 without reading it.
    public var maxBodyBytes: Int = 64 * 1024
    /// Longest request line plus header fields; more is answered 431.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Time from accepting a connection to having its whole request; a slower client is
    /// answered 408 (or closed, when it sent nothing).
    public var requestTimeout: Duration = .seconds(5)
    /// Time a handler may take; then the client is answered 503 and the late answer dropped.
    public var handlerTimeout: Duration = .seconds(10)
    /// Time for the client to take the response; then the connection is closed.
    public var writeTimeout: Duration = .seconds(5)
    /// Connections at once; a further one is answered 503 at once and closed.
    public var maxConnections: Int = 64

    public init() {}
}
