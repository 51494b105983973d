/// What a publisher's ping did (`PollScheduler.pollSoon(feed:now:)`).
public enum PingResult: Sendable, Equatable {
    /// The feed is due at `due`: the ping's time, or earlier when it was already overdue, or
    /// later when its ping window is open (`SchedulePolicy.pingInterval`) or it is throttled
    /// and its Retry-After has not passed.
    case scheduled(due: ContinuousClock.Instant)
    /// The feed is being polled; it is polled once more when that poll completes (no sooner
    /// than its ping window allows).
    case alreadyInFlight
    /// A poll for an earlier ping is already pending (due, or following the poll under way);
    /// this ping is merged into it and adds no poll.
    case coalesced
    /// No such feed.
    case unknownFeed
    /// The feed answered 410 Gone; the ping changes nothing.
    case gone
}
