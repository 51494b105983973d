import Logging

/// The control endpoint's warnings about clients — refusals and timeouts — logged once per
/// kind, then at most once per `interval`, each line saying how many of its kind were not
/// logged since the previous one. Idle or misdirected clients by the thousand then cost one
/// line a minute per kind, not one each.
///
/// Not thread-safe: the connection loop uses it on its own thread only.
final class ControlWarnings {
    enum Kind: Hashable, CaseIterable {
        /// A connection past ``ControlServerLimits/maxConnections``.
        case connectionLimit
        /// No complete request within the head or request timeout.
        case slowRequest
        /// A missing or foreign `Host`.
        case host
        /// A foreign `Origin` on a request that changes something.
        case origin
        /// A handler that did not answer in time.
        case handlerTimeout
    }

    private struct Said {
        var at: ContinuousClock.Instant
        var unsaid: Int
    }

    private let logger: Logger
    private let interval: Duration
    private var said: [Kind: Said] = [:]

    init(logger: Logger, interval: Duration) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs `message` as a warning unless a warning of `kind` was logged within the interval;
    /// then only counts it.
    func warn(_ kind: Kind, _ message: @autoclosure () -> String, at now: ContinuousClock.Instant = .now) {
        if var last = said[kind], now - last.at < interval {
            last.unsaid += 1
            said[kind] = last
            return
        }
        let unsaid = said[kind]?.unsaid ?? 0
        said[kind] = Said(at: now, unsaid: 0)
        let suffix = unsaid > 0 ? " (\(unsaid) more like it not logged since the previous line)" : ""
        logger.warning("control endpoint: \(message())\(suffix)")
    }
}
