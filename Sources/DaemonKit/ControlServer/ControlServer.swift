import Foundation
import Logging
import Synchronization

/// The daemon's control endpoint: a small HTTP/1.1 server on a loopback address (`/metrics`,
/// `/ping`…). One thread of its own runs a poll(2) loop over every connection; each request's
/// handler runs in a task, so handlers may await the daemon's actors while the loop goes on
/// serving other clients. One request per connection (`Connection: close`).
///
/// A request must name this endpoint in `Host` (the bound address, loopback names when bound to
/// loopback, or one of `allowedHostNames`), else 421; one that may change something and comes
/// with a foreign `Origin` (a page in a browser) is refused 403. See ``ControlServerLimits``
/// for the bounds on slow and idle clients.
///
/// ```swift
/// var routes = ControlRoutes()
/// routes.add(.get, "/metrics") { _ in export.response() }
/// let server = ControlServer(host: "127.0.0.1", port: 9464, routes: routes, logger: logger)
/// try server.start()
/// ```
public final class ControlServer: Sendable {
    /// The host given to `init`.
    public let host: String
    /// The port given to `init` (0: the kernel's choice, see ``boundPort``).
    public let port: Int
    /// The names allowed in `Host` besides the bound address (`control-host`).
    public let allowedHostNames: [String]
    private let allowNonLoopback: Bool
    private let routes: ControlRoutes
    private let limits: ControlServerLimits
    private let logger: Logger
    private let state = Mutex(State.idle)

    private enum State {
        case idle
        case running(ControlMailbox, port: Int)
        case stopped(ControlMailbox?)
    }

    /// A server for `host` (an IPv4 or IPv6 address, or `localhost`) and `port`; nothing is
    /// opened before ``start()``. Addresses other than loopback ones are refused unless
    /// `allowNonLoopback` is set, as the endpoint has no authentication. `allowedHostNames`
    /// are the further names a request's `Host` may give (`name` for any port, `name:port`),
    /// e.g. the public name a reverse proxy forwards.
    public init(
        host: String = "127.0.0.1", port: Int, allowNonLoopback: Bool = false, allowedHostNames: [String] = [],
        routes: ControlRoutes, limits: ControlServerLimits = ControlServerLimits(), logger: Logger
    ) {
        self.host = host
        self.port = port
        self.allowedHostNames = allowedHostNames
        self.allowNonLoopback = allowNonLoopback
        self.routes = routes
        self.limits = limits
        self.logger = logger
    }

    /// Binds and listens, then serves on a thread of its own until ``stop()``. Throws at once
    /// when the address cannot be used; a server starts once.
    public func start() throws(ControlServerError) {
        guard let address = ListeningAddress(host: host, port: port) else {
            throw .invalidAddress(host: host, port: port)
        }
        guard allowNonLoopback || address.isLoopback else { throw .nonLoopbackAddress(host: host) }
        if let name = allowedHostNames.first(where: { Self.hostNameProblem($0) != nil }) { throw .invalidHostName(name) }
        try state.withLock { (state: inout State) throws(ControlServerError) in
            guard case .idle = state else { throw .alreadyStarted }
            let mailbox = try ControlMailbox()
            let (listenFD, boundPort) = try ListeningSocket.open(address, host: host, port: port)
            let hosts = ControlHostPolicy(
                boundHost: host, boundPort: boundPort, isLoopback: address.isLoopback, names: allowedHostNames)
            state = .running(mailbox, port: boundPort)
            let cap = limits.connectionCap()
            let (routes, limits, logger) = (self.routes, self.limits, self.logger)
            let thread = Thread {
                ControlConnectionLoop(
                    listenFD: listenFD, mailbox: mailbox, routes: routes, hosts: hosts, limits: limits, connectionCap: cap,
                    logger: logger
                ).run()
            }
            thread.name = "hubdiffer.control"
            thread.start()
            logger.info("control endpoint listening on \(host.contains(":") ? "[\(host)]" : host):\(boundPort)")
            if cap < limits.maxConnections {
                logger.notice("control endpoint: \(cap) connections at once (a quarter of the descriptor limit), not \(limits.maxConnections)")
            }
        }
    }

    /// Why `name` cannot be one of `allowedHostNames` (nil when it can): it must be a host
    /// name or address, optionally with `:port`, without a scheme or path.
    public static func hostNameProblem(_ name: String) -> String? { ControlHostPolicy.nameProblem(name) }

    /// The port listened on while the server runs (the kernel's choice when `port` was 0);
    /// nil before ``start()`` and after ``stop()``.
    public var boundPort: Int? {
        state.withLock { state in
            if case .running(_, let port) = state { return port }
            return nil
        }
    }

    /// Stops serving: the loop closes the listening socket and every connection (handlers
    /// still running are not waited for; their answers are dropped). Returns at once; see
    /// ``waitUntilStopped()``. Calling it again, or before `start()`, does nothing more.
    public func stop() {
        let mailbox = state.withLock { state -> ControlMailbox? in
            switch state {
            case .idle:
                state = .stopped(nil)
                return nil
            case .running(let mailbox, _):
                state = .stopped(mailbox)
                return mailbox
            case .stopped:
                return nil
            }
        }
        mailbox?.requestStop()
    }

    /// A server released without ``stop()`` stops (its thread holds only the loop's state).
    deinit { stop() }

    /// Returns once a stopped server has closed its sockets (at once if it never started).
    public func waitUntilStopped() async {
        let mailbox = state.withLock { state -> ControlMailbox? in
            switch state {
            case .idle: nil
            case .running(let mailbox, _), .stopped(let mailbox?): mailbox
            case .stopped(nil): nil
            }
        }
        await mailbox?.waitUntilLoopEnded()
    }
}
