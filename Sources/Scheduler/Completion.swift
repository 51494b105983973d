/// What `PollScheduler.complete(feed:verdict:hints:now:)` did with a finished poll.
public struct Completion: Sendable, Equatable {
    /// What became of the feed.
    public enum Status: Sendable, Equatable {
        /// It is due again at `nextDue`.
        case rescheduled
        /// It answered 410 Gone and is never due again.
        case gone
        /// Ignored: the feed was removed (by `sync` or `remove`) while the poll ran.
        case unknownFeed
        /// Ignored: the feed was not being polled (a stale or duplicate completion, or one for
        /// a feed removed and re-added while the poll ran).
        case notInFlight
    }

    /// What became of the feed.
    public var status: Status
    /// When the feed is due next; nil unless `status` is `.rescheduled`.
    public var nextDue: ContinuousClock.Instant?
    /// The feed's new URL when this poll made it adopt a permanent redirect; the daemon should
    /// persist it. Nil otherwise.
    public var adoptedURL: String?

    /// Whether the completion was ignored (`.unknownFeed` or `.notInFlight`).
    public var wasIgnored: Bool { status == .unknownFeed || status == .notInFlight }

    init(status: Status, nextDue: ContinuousClock.Instant? = nil, adoptedURL: String? = nil) {
        self.status = status
        self.nextDue = nextDue
        self.adoptedURL = adoptedURL
    }
}
