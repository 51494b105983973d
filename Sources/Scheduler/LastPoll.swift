/// What a feed's last poll said, kept for operators (`GET /feeds/{id}`): 12 bytes a feed, in a
/// slot-indexed array beside `FeedRecord`. Times are whole seconds of the wall clock since
/// 1970 (UInt32: until 2106), 0 for never; the outcome is a code the caller defines, 0 for none.
public struct LastPoll: Sendable, Equatable {
    /// When the last poll ended; 0: not polled since the feed was added or the daemon started.
    public var endedAt: UInt32
    /// When a poll last found new entries; 0: not since the feed was added or the daemon started.
    public var newEntriesAt: UInt32
    /// The caller's code for the last poll's outcome; 0: none.
    public var outcome: UInt8

    /// A feed not polled yet.
    public static let never = LastPoll(endedAt: 0, newEntriesAt: 0, outcome: 0)

    public init(endedAt: UInt32, newEntriesAt: UInt32, outcome: UInt8) {
        self.endedAt = endedAt
        self.newEntriesAt = newEntriesAt
        self.outcome = outcome
    }
}
