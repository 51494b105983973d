import Testing

@testable import Scheduler

@Suite("First due times of new feeds", .ownThread(nice: 19))
struct SpreadingTests {
    @Test("100,000 feeds at 60 s fill every 1-s bucket within ±10% of the mean")
    func evenOverInterval() {
        var scheduler = PollScheduler(policy: SchedulePolicy(defaultInterval: .seconds(60)), seed: 1)
        let start = ContinuousClock.now
        let summary = scheduler.sync(with: makeFeeds(100_000), now: start)
        #expect(summary == SyncSummary(added: 100_000))

        var buckets = [Int](repeating: 0, count: 60)
        var outside = 0
        for id in Int64(1)...100_000 {
            guard case .scheduled(let due) = scheduler.state(of: id) else { continue }
            let offset = (due - start).inSeconds
            if offset < 0 || offset >= 60 { outside += 1 } else { buckets[Int(offset)] += 1 }
        }
        #expect(outside == 0)
        let mean = 100_000.0 / 60
        #expect(buckets.allSatisfy { abs(Double($0) - mean) <= mean * 0.1 }, "\(buckets)")
        // Golden-ratio spreading is far better than the ±10% asked for.
        #expect(buckets.allSatisfy { abs(Double($0) - mean) <= 5 }, "\(buckets)")
    }

    @Test("pinned intervals spread over their own interval; popDue by the second stays even")
    func pinnedSpreadAndPopRate() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 9)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(6_000, interval: .seconds(120)), now: start)
        var perSecond: [Int] = []
        for second in 1...120 {
            perSecond.append(scheduler.popDue(now: start + .seconds(second), limit: .max).count)
        }
        #expect(perSecond.reduce(0, +) == 6_000)
        #expect(perSecond.allSatisfy { (45...55).contains($0) }, "\(perSecond)")
    }

    @Test("the same seed gives the same schedule")
    func deterministic() {
        let start = ContinuousClock.now
        var first = PollScheduler(seed: 5)
        var second = PollScheduler(seed: 5)
        first.sync(with: makeFeeds(100), now: start)
        second.sync(with: makeFeeds(100), now: start)
        let a = first.popDue(now: start + .seconds(900), limit: .max)
        let b = second.popDue(now: start + .seconds(900), limit: .max)
        #expect(a.count == 100)
        #expect(a == b)
    }
}
