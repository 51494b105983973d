import Testing

@testable import Scheduler

@Suite("Pings coalesced per ping interval")
struct PingCoalescingTests {
    /// A ping at `time` polled at once and completed a second later as unchanged.
    private static func pingPolled(_ feed: inout OneFeed, at time: ContinuousClock.Instant) {
        #expect(feed.scheduler.pollSoon(feed: 1, now: time) == .scheduled(due: time))
        #expect(feed.scheduler.popDue(now: time, limit: 1).map(\.reason) == [.ping])
        feed.scheduler.complete(feed: 1, verdict: .unchanged, now: time + .seconds(1))
    }

    @Test("pings within the ping interval merge into one poll at the window's end")
    func mergedAtWindowEnd() {
        var feed = OneFeed()
        let first = feed.start + .seconds(1)
        Self.pingPolled(&feed, at: first)
        let windowEnd = first + .seconds(10)
        #expect(feed.scheduler.pollSoon(feed: 1, now: first + .seconds(2)) == .scheduled(due: windowEnd))
        #expect(feed.scheduler.pollSoon(feed: 1, now: first + .seconds(3)) == .coalesced)
        #expect(feed.scheduler.popDue(now: windowEnd - .milliseconds(1), limit: 1).isEmpty)
        #expect(feed.scheduler.popDue(now: windowEnd, limit: 1).map(\.reason) == [.ping])
    }

    @Test("a ping after the window polls at once")
    func afterWindow() {
        var feed = OneFeed()
        let first = feed.start + .seconds(1)
        Self.pingPolled(&feed, at: first)
        let later = first + .seconds(10)
        #expect(feed.scheduler.pollSoon(feed: 1, now: later) == .scheduled(due: later))
    }

    @Test("a ping during a ping-triggered poll polls again at the window's end, not at its completion")
    func pendingPingWaitsForWindow() {
        var feed = OneFeed()
        let first = feed.start + .seconds(1)
        #expect(feed.scheduler.pollSoon(feed: 1, now: first) == .scheduled(due: first))
        _ = feed.scheduler.popDue(now: first, limit: 1)
        #expect(feed.scheduler.pollSoon(feed: 1, now: first + .seconds(1)) == .alreadyInFlight)
        #expect(feed.scheduler.pollSoon(feed: 1, now: first + .seconds(2)) == .coalesced)
        let completion = feed.scheduler.complete(feed: 1, verdict: .unchanged, now: first + .seconds(3))
        #expect(completion.nextDue == first + .seconds(10))
        #expect(feed.scheduler.pollSoon(feed: 1, now: first + .seconds(4)) == .coalesced)
        #expect(feed.scheduler.popDue(now: first + .seconds(10), limit: 1).map(\.reason) == [.ping])
    }

    @Test("a ping does not postpone a clock poll due before the window's end")
    func earlierClockDueStays() {
        var feed = OneFeed(interval: .seconds(60))
        let first = feed.start
        Self.pingPolled(&feed, at: first)
        // Rescheduled 60 s after the completion (no jitter); a ping at 61 s finds it overdue.
        let overdue = first + .seconds(61) + .milliseconds(500)
        #expect(feed.scheduler.pollSoon(feed: 1, now: overdue) == .scheduled(due: first + .seconds(61)))
    }

    @Test("10,000 pings over 10 s make two ping-triggered polls")
    func floodOfPings() {
        var feed = OneFeed()
        let first = feed.start + .seconds(1)
        var pingPolls = 0
        var inFlightUntil: ContinuousClock.Instant?
        for step in 0..<12_000 {
            let now = first + .milliseconds(step)
            if let end = inFlightUntil, end <= now {
                feed.scheduler.complete(feed: 1, verdict: .unchanged, now: now)
                inFlightUntil = nil
            }
            if step < 10_000 { _ = feed.scheduler.pollSoon(feed: 1, now: now) }
            for poll in feed.scheduler.popDue(now: now, limit: 1) {
                if poll.reason == .ping { pingPolls += 1 }
                inFlightUntil = now + .milliseconds(50)
            }
        }
        #expect(pingPolls == 2)
    }

    @Test("pings for 1,000 feeds each make one poll at once")
    func manyFeeds() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 7)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(1_000), now: start)
        let now = start + .seconds(1)
        for id in Int64(1)...1_000 { _ = scheduler.pollSoon(feed: id, now: now) }
        let polls = scheduler.popDue(now: now, limit: 2_000)
        #expect(polls.count == 1_000)
        #expect(polls.allSatisfy { $0.reason == .ping })
    }

    @Test("a ping interval of zero polls at every ping after the last poll")
    func zeroInterval() {
        var feed = OneFeed(policy: SchedulePolicy(jitter: 0, pingInterval: .zero))
        let first = feed.start + .seconds(1)
        Self.pingPolled(&feed, at: first)
        let next = first + .seconds(2)
        #expect(feed.scheduler.pollSoon(feed: 1, now: next) == .scheduled(due: next))
        #expect(feed.scheduler.pingWindows.count == 0)
    }

    @Test("a feed removed and added again starts without a window")
    func removedFeedForgotten() {
        var feed = OneFeed()
        let first = feed.start + .seconds(1)
        Self.pingPolled(&feed, at: first)
        feed.scheduler.remove(feed: 1)
        feed.scheduler.upsert(ScheduledFeed(id: 1, url: "https://example.com/other.xml"), now: first)
        let next = first + .seconds(2)
        #expect(feed.scheduler.pollSoon(feed: 1, now: next) == .scheduled(due: next))
    }

    @Test("closed windows are swept out as the table grows")
    func windowsPruned() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 7)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(2_100), now: start)
        func pingAndPoll(_ ids: ClosedRange<Int64>, at now: ContinuousClock.Instant) {
            for id in ids { _ = scheduler.pollSoon(feed: id, now: now) }
            for poll in scheduler.popDue(now: now, limit: 3_000) {
                scheduler.complete(feed: poll.feed, verdict: .unchanged, now: now)
            }
        }
        pingAndPoll(1...2_000, at: start + .seconds(1))
        #expect(scheduler.pingWindows.count == 2_000)
        pingAndPoll(2_001...2_100, at: start + .seconds(20))
        #expect(scheduler.pingWindows.count <= 100)
    }
}
