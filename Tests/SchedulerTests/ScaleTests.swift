import Testing

@testable import Scheduler

@Suite("A million feeds", .ownThread(nice: 19))
struct ScaleTests {
    @Test("1,000,000 feeds sync, pop, complete and shrink")
    func millionFeeds() {
        var scheduler = PollScheduler(seed: 2026)
        let start = ContinuousClock.now
        var feeds: [ScheduledFeed] = []
        feeds.reserveCapacity(1_000_000)
        for id in Int64(1)...1_000_000 {
            feeds.append(
                ScheduledFeed(id: id * 7_919, url: "https://host\(id % 5_000).example.com/feeds/\(id).xml"))
        }
        #expect(scheduler.sync(with: feeds, now: start) == SyncSummary(added: 1_000_000))
        #expect(scheduler.count == 1_000_000)
        #expect(scheduler.url(of: 7_919 * 123_456) == "https://host3456.example.com/feeds/123456.xml")
        // About 72 bytes a feed plus the URL (these average 44.7 bytes); the budget is 130.
        print("scheduler: \(scheduler.allocatedBytes / 1_000_000) bytes a feed allocated for 1,000,000 feeds")
        #expect(scheduler.allocatedBytes < 130 * 1_000_000)

        let minute = scheduler.popDue(now: start + .seconds(60), limit: .max)
        #expect((1_000_000 / 15 - 200...1_000_000 / 15 + 200).contains(minute.count))
        for poll in minute {
            scheduler.complete(feed: poll.feed, verdict: .notModified, now: start + .seconds(61))
        }
        #expect(scheduler.inFlightCount == 0)

        let half = feeds.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(
            scheduler.sync(with: half, now: start + .seconds(62))
                == SyncSummary(removed: 500_000, unchanged: 500_000))
        #expect(scheduler.count == 500_000)
        #expect(scheduler.waitingCount == 500_000)
    }
}
