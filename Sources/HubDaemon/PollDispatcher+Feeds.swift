import DaemonKit
import Fetcher
import Foundation
import Logging
import Polling
import Scheduler

/// The dispatcher's feed list: loads and reloads of the feeds file, a new shard map, and
/// publishers' pings.
extension PollDispatcher {
    // MARK: - Feeds and reloads

    /// Brings the schedule in line with the feeds file and the run-time changes laid over it
    /// (new feeds spread over their first interval; removed ones dropped; due times of the
    /// others kept); changes made since ``beginReload()`` are applied again over it.
    public func load(_ feeds: [ScheduledFeed]) -> SyncSummary {
        let summary = scheduler.sync(with: feeds, now: .now)
        feedByURLHash = Dictionary(feeds.lazy.map { ($0.url.hashValue, $0.id) }, uniquingKeysWith: { first, _ in first })
        lastErrors = lastErrors.filter { scheduler.contains($0.key) }
        replayChangesDuringReload()
        metrics.feeds.record(scheduler.count)
        wakeUp()
        return summary
    }

    /// Polls from now on use `environment` (a new shard map); those in flight keep theirs.
    public func replace(_ environment: PollEnvironment) {
        self.environment = environment
    }

    public var feedCount: Int { scheduler.count }
    public var inFlightCount: Int { inFlight }

    // MARK: - Pings

    public enum PingTarget: Sendable {
        case feed(Int64)
        case url(String)
    }

    /// A publisher's ping: the feed is polled now, or right after the poll under way, no
    /// sooner than its ping window allows (`--ping-interval`); pings meanwhile are merged into
    /// that poll. Counted in `hubdiffer_pings_total{result}`; an unknown feed changes nothing.
    public func ping(_ target: PingTarget) -> PingResult {
        let result = pingResult(target)
        metrics.countPing(result)
        return result
    }

    func pingResult(_ target: PingTarget) -> PingResult {
        let feed: Int64
        switch target {
        case .feed(let id): feed = id
        case .url(let url):
            if let id = feedByURLHash[url.hashValue], scheduler.url(of: id) == url {
                feed = id
            } else if let id = feedByAdoptedURL[url] {
                feed = id
            } else {
                return .unknownFeed
            }
        }
        let result = scheduler.pollSoon(feed: feed, now: .now)
        if case .scheduled = result { wakeUp() }
        return result
    }
}
