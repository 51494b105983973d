/// A poll to start now, handed out by `PollScheduler.popDue(now:limit:)`.
public struct DuePoll: Sendable, Equatable {
    /// Why the feed is being polled.
    public enum Reason: Sendable, Equatable {
        /// Its interval ran out.
        case clock
        /// The publisher pinged it (`PollScheduler.pollSoon(feed:now:)`).
        case ping
    }

    /// The feed's identifier.
    public let feed: Int64
    /// The URL to poll.
    public let url: String
    /// When the poll was due; earlier than now when the loop runs late.
    public let due: ContinuousClock.Instant
    /// Why it is due.
    public let reason: Reason
}
