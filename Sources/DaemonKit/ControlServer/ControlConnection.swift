/// One client connection of the control endpoint; used by the connection loop's thread only.
final class ControlConnection {
    enum Phase {
        /// Reading the request (its head until ``ControlServerLimits/headTimeout``, all of it
        /// until ``ControlServerLimits/requestTimeout``).
        case reading
        /// The handler's task runs (until ``ControlServerLimits/handlerTimeout``).
        case handling
        /// Sending the response (until ``ControlServerLimits/writeTimeout``).
        case writing
        /// Response sent and our side shut down; discarding what the client still sends until
        /// it closes, so an unread request body does not make the kernel reset the connection
        /// (and lose the response) on close.
        case lingering
    }

    let id: UInt64
    let fd: Int32
    /// When it was accepted: the request's deadlines count from here.
    let acceptedAt: ContinuousClock.Instant
    var phase = Phase.reading
    var deadline: ContinuousClock.Instant

    var input: [UInt8] = []
    var head: HTTPRequestHead?
    var bodyOffset = 0
    var sentContinue = false
    /// A `HEAD` request: the response goes without its body.
    var headOnly = false
    /// For the log line: what was asked.
    var summary = "-"

    var output: [UInt8] = []
    var written = 0
    var discarded = 0

    init(id: UInt64, fd: Int32, acceptedAt: ContinuousClock.Instant, deadline: ContinuousClock.Instant) {
        self.id = id
        self.fd = fd
        self.acceptedAt = acceptedAt
        self.deadline = deadline
    }
}
