/// Where a feed stands in the schedule (`PollScheduler.state(of:)`).
public enum FeedScheduleState: Sendable, Equatable {
    /// Waiting; due at this instant.
    case scheduled(due: ContinuousClock.Instant)
    /// Being polled: handed out by `popDue` and not yet completed.
    case inFlight
    /// Answered 410 Gone; never due again.
    case gone
}
