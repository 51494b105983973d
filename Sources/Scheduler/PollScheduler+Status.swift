/// What operators read of the schedule: a feed's standing, its last poll, the feeds in trouble.
extension PollScheduler {
    /// One feed as the schedule sees it.
    public struct FeedStanding: Sendable, Equatable {
        /// The feed's ID.
        public var id: Int64
        /// The listed URL (the newest, as `url(of:)`).
        public var url: String
        /// Due when, in flight, or gone.
        public var state: FeedScheduleState
        /// The pinned interval, or the adaptive one as it stands.
        public var interval: Duration
        /// Whether the interval is pinned (by the feeds file or a `PUT`).
        public var isPinned: Bool
        /// Failed or throttled polls since the last success.
        public var consecutiveErrors: Int
        /// Its due time honours a 429/503's wait.
        public var isThrottled: Bool
        /// What its last poll said.
        public var lastPoll: LastPoll
    }

    /// The feed's standing; nil when unknown.
    public func standing(of feed: Int64) -> FeedStanding? {
        guard let slot = slots.slot(of: feed), let state = state(of: feed) else { return nil }
        let record = records[Int(slot)]
        return FeedStanding(
            id: feed, url: deferredURLs[slot] ?? storedURL(slot), state: state, interval: .nanoseconds(record.interval),
            isPinned: record.flags.contains(.pinned), consecutiveErrors: Int(record.consecutiveErrors),
            isThrottled: record.flags.contains(.throttled), lastPoll: lastPolls[Int(slot)])
    }

    /// Notes what a poll of `feed` said (ignored when the feed is unknown): `at` is the wall
    /// clock in seconds since 1970; `newEntries` when it found entries to send.
    public mutating func notePoll(feed: Int64, outcome: UInt8, at seconds: UInt32, newEntries: Bool) {
        guard let slot = slots.slot(of: feed) else { return }
        lastPolls[Int(slot)].endedAt = seconds
        lastPolls[Int(slot)].outcome = outcome
        if newEntries { lastPolls[Int(slot)].newEntriesAt = seconds }
    }

    /// Which feeds in trouble `troubledFeeds(_:)` lists.
    public enum Trouble: Sendable {
        /// Polled, but failing or throttled since their last success (not gone).
        case failing
        /// Answered 410 Gone: no longer polled.
        case gone
    }

    /// The feeds in trouble, most consecutive errors first, then by ID. One pass over the
    /// records (a few milliseconds for a million feeds).
    public func troubledFeeds(_ trouble: Trouble) -> [(id: Int64, consecutiveErrors: Int)] {
        var found: [(id: Int64, consecutiveErrors: Int)] = []
        for index in records.indices {
            let record = records[index]
            guard record.flags.contains(.occupied) else { continue }
            let isGone = record.flags.contains(.gone)
            switch trouble {
            case .failing where !isGone && record.consecutiveErrors > 0,
                .gone where isGone:
                found.append((slots.ids[index], Int(record.consecutiveErrors)))
            default: continue
            }
        }
        return found.sorted { $0.consecutiveErrors != $1.consecutiveErrors ? $0.consecutiveErrors > $1.consecutiveErrors : $0.id < $1.id }
    }
}
