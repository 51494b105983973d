import DaemonKit
import Foundation
import Polling
import Scheduler

/// What operators read of each feed (`GET /feeds/{id}`, `GET /feeds?state=failing`): the
/// schedule's standing and what the last poll said. Kept in memory: after a restart a feed
/// says "not polled yet" until its first poll.
extension PollDispatcher {
    /// One feed's status, as far as the dispatcher knows it (the shard knows the rest).
    public struct FeedStatus: Sendable {
        /// What the schedule knows of it.
        public var standing: PollScheduler.FeedStanding
        /// `active`, `backing_off`, `throttled` or `gone`.
        public var state: String
        /// When it is next polled; nil while it is polled or when gone.
        public var nextPoll: Date?
        /// When its last poll ended; nil: not since it was added or the daemon started.
        public var lastPoll: Date?
        /// The last poll's `hubdiffer_polls_total` outcome label.
        public var lastOutcome: String?
        /// Why it failed, while it fails.
        public var lastError: String?
        /// When a poll last found new entries (and the sink took them).
        public var lastNewEntry: Date?
    }

    /// The feed's status; nil when unknown.
    public func status(of feed: Int64) -> FeedStatus? {
        guard let standing = scheduler.standing(of: feed) else { return nil }
        let state: String
        var nextPoll: Date?
        switch standing.state {
        case .gone: state = "gone"
        case .inFlight, .scheduled:
            state = standing.isThrottled ? "throttled" : standing.consecutiveErrors > 0 ? "backing_off" : "active"
            if case .scheduled(let due) = standing.state { nextPoll = Date() + (due - .now).inSeconds }
        }
        func date(_ seconds: UInt32) -> Date? { seconds == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return FeedStatus(
            standing: standing, state: state, nextPoll: nextPoll, lastPoll: date(standing.lastPoll.endedAt),
            lastOutcome: outcomeCodes.label(standing.lastPoll.outcome),
            lastError: standing.consecutiveErrors > 0 ? lastErrors[feed] : nil,
            lastNewEntry: date(standing.lastPoll.newEntriesAt))
    }

    /// A page of the feeds in `trouble` (most consecutive errors first), and how many there are.
    public func troubled(_ trouble: PollScheduler.Trouble, offset: Int, limit: Int) -> (total: Int, page: [FeedStatus]) {
        let feeds = scheduler.troubledFeeds(trouble)
        let page = feeds.dropFirst(offset).prefix(limit).compactMap { status(of: $0.id) }
        return (feeds.count, page)
    }

    /// Notes a finished poll for its status: the outcome, when, new entries, and the reason of
    /// a failure while the feed fails.
    func note(_ feed: Int64, _ report: FeedPoll.Report, label: String, completion: Completion) {
        guard !completion.wasIgnored else { return }
        let delivered: Bool = if case .fetched(let newCount, _) = report.outcome { newCount > 0 && report.delivered } else { false }
        scheduler.notePoll(feed: feed, outcome: outcomeCodes.code(label), at: Self.wallClockSeconds(), newEntries: delivered)
        let errors = scheduler.consecutiveErrors(of: feed) ?? 0
        if errors == 0 {
            lastErrors[feed] = nil
        } else if let problem = Self.problem(report) {
            lastErrors[feed] = problem
        }
    }

    static func wallClockSeconds() -> UInt32 {
        UInt32(clamping: Int(Date().timeIntervalSince1970))
    }
}
