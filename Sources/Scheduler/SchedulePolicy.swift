/// How often feeds are polled: the knobs of the adaptive interval, the error backoff, the
/// jitter, the redirect adoption and the coalescing of pings. Every field has a default; see `PollScheduler` for how
/// they are combined.
public struct SchedulePolicy: Sendable, Equatable {
    /// The interval a feed without a pinned interval starts at (15 minutes).
    public var defaultInterval: Duration
    /// The floor of every interval, adaptive or pinned, and of a Retry-After (1 minute).
    public var minimumInterval: Duration
    /// The ceiling of every interval, also of a publisher's ttl or max-age (24 hours).
    public var maximumInterval: Duration
    /// The ceiling of the delay after errors and of a Retry-After (24 hours).
    public var maximumBackoff: Duration
    /// The fraction each next delay is spread by: 0.1 gives ±10%. Clamped to 0...0.5.
    public var jitter: Double
    /// How many consecutive polls must be permanently redirected (301/308) to the same new
    /// URL before the feed's URL is replaced by it. At least 1.
    public var redirectsToAdopt: Int
    /// The shortest time between two ping-triggered polls of one feed (10 seconds): pings
    /// within it are merged into one poll at its end. Zero: a ping polls as soon as the feed
    /// is not in flight (pings during a poll still make one poll after it).
    public var pingInterval: Duration

    /// A policy; every argument left out takes its default.
    public init(
        defaultInterval: Duration = .seconds(900),
        minimumInterval: Duration = .seconds(60),
        maximumInterval: Duration = .seconds(86_400),
        maximumBackoff: Duration = .seconds(86_400),
        jitter: Double = 0.1,
        redirectsToAdopt: Int = 3,
        pingInterval: Duration = .seconds(10)
    ) {
        self.defaultInterval = defaultInterval
        self.minimumInterval = minimumInterval
        self.maximumInterval = maximumInterval
        self.maximumBackoff = maximumBackoff
        self.jitter = jitter
        self.redirectsToAdopt = redirectsToAdopt
        self.pingInterval = pingInterval
    }
}
