/// What a publisher's ping did (`PollScheduler.pollSoon(feed:now:)`).
public enum PingResult: Sendable, Equatable {
    /// The feed is due at `due`: the ping's time, or earlier when it was already overdue, or
    /// later when the feed is throttled and its Retry-After has not passed.
    case scheduled(due: ContinuousClock.Instant)
    /// The feed is being polled; it is polled once more right after that poll completes.
    case alreadyInFlight
    /// No such feed.
    case unknownFeed
    /// The feed answered 410 Gone; the ping changes nothing.
    case gone
}
