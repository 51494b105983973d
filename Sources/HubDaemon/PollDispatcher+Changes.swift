import AsyncBridges
import FeedMemory
import Foundation
import Scheduler

/// Feeds added, changed and removed while the daemon runs (`PUT`/`DELETE /feeds/{id}`): each
/// change goes to the feed-change journal and to the schedule in one step of the actor, so the
/// two see changes in the same order; the caller answers once the journal says it is durable.
extension PollDispatcher {
    /// A change the control endpoint asked for, applied: what the schedule did, and the
    /// journal's answer (true once on disk).
    public struct AppliedChange: Sendable {
        public let result: UpsertResult
        public let durable: OneAnswer<Bool>
    }

    /// Adds or changes `feed` (a new one is due now; one gone after 410 is revived).
    public func put(_ feed: ScheduledFeed) -> AppliedChange {
        let change = FeedChange(
            feed: feed.id, action: .put(url: feed.url, intervalSeconds: feed.interval.map { Int($0.components.seconds) }),
            madeAt: Self.wallClockMilliseconds())
        let durable = changeJournal.append(change)
        let result = apply(change)
        metrics.countFeedChange(Self.label(result))
        return AppliedChange(result: result, durable: durable)
    }

    /// Stops polling `feed` (a poll in flight finishes, unheard); nil when it is unknown. Its
    /// set in Redis is kept.
    public func remove(feed: Int64) -> OneAnswer<Bool>? {
        guard scheduler.contains(feed) else { return nil }
        let change = FeedChange(feed: feed, action: .remove, madeAt: Self.wallClockMilliseconds())
        let durable = changeJournal.append(change)
        apply(change)
        metrics.countFeedChange("removed")
        return durable
    }

    /// A reload of the feeds file begins: changes made until its `load` are applied again
    /// over the reloaded list (which was laid out before they came).
    public func beginReload() {
        changesDuringReload = []
    }

    /// The reload ended without a new list (the file was refused).
    public func abandonReload() {
        changesDuringReload = nil
    }

    // MARK: - Applying

    @discardableResult
    func apply(_ change: FeedChange) -> UpsertResult {
        changesDuringReload?.append(change)
        defer {
            metrics.feeds.record(scheduler.count)
            metrics.gone.record(scheduler.goneCount)
            wakeUp()
        }
        switch change.action {
        case .put(let url, let seconds):
            let feed = ScheduledFeed(id: change.feed, url: url, interval: seconds.map { .seconds($0) })
            forgetURL(of: change.feed)
            let result = scheduler.put(feed, now: .now)
            feedByURLHash[url.hashValue] = change.feed
            return result
        case .remove:
            forgetURL(of: change.feed)
            scheduler.remove(feed: change.feed)
            lastErrors[change.feed] = nil
            return .unchanged
        }
    }

    /// Drops the ping index's entry for the feed's URL (pings for a URL no longer listed poll
    /// nothing).
    private func forgetURL(of feed: Int64) {
        guard let url = scheduler.url(of: feed), feedByURLHash[url.hashValue] == feed else { return }
        feedByURLHash[url.hashValue] = nil
    }

    /// Changes made while a reload read the file, applied over its list.
    func replayChangesDuringReload() {
        guard let changes = changesDuringReload else { return }
        changesDuringReload = nil
        for change in changes { apply(change) }
    }

    static func label(_ result: UpsertResult) -> String {
        switch result {
        case .added: "added"
        case .changed: "changed"
        case .unchanged: "unchanged"
        case .revived: "revived"
        }
    }

    static func wallClockMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
