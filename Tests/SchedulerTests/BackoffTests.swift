import Testing

@testable import Scheduler

@Suite("Errors, throttling and gone feeds")
struct BackoffTests {
    @Test("consecutive errors double the delay from the interval, capped, and success resets")
    func doublingWithCapAndReset() {
        var feed = OneFeed(policy: SchedulePolicy(maximumBackoff: .seconds(20_000), jitter: 0))
        #expect(feed.delay(after: .failed) == .seconds(1_800))
        #expect(feed.delay(after: .failed) == .seconds(3_600))
        #expect(feed.delay(after: .throttled(retryAfter: nil)) == .seconds(7_200))
        #expect(feed.delay(after: .failed) == .seconds(14_400))
        #expect(feed.delay(after: .failed) == .seconds(20_000))
        #expect(feed.scheduler.consecutiveErrors(of: 1) == 5)
        for _ in 0..<300 { _ = feed.delay(after: .failed) }
        #expect(feed.delay(after: .failed) == .seconds(20_000))
        // Errors leave the interval alone.
        #expect(feed.scheduler.interval(of: 1) == .seconds(900))
        #expect(feed.delay(after: .notModified) == .seconds(1_125))
        #expect(feed.scheduler.consecutiveErrors(of: 1) == 0)
        #expect(feed.delay(after: .failed) == .seconds(2_250))
    }

    @Test("a deferred poll (its host busy or backed off) comes back after the delay asked, with its errors and interval untouched")
    func deferredIsNeutral() {
        var feed = OneFeed(policy: SchedulePolicy(maximumBackoff: .seconds(20_000), jitter: 0))
        #expect(feed.delay(after: .failed) == .seconds(1_800))
        #expect(feed.delay(after: .deferred(retryAfter: .seconds(300))) == .seconds(300))
        #expect(feed.delay(after: .deferred(retryAfter: .seconds(1))) == .seconds(60))  // raised to the minimum interval
        #expect(feed.scheduler.consecutiveErrors(of: 1) == 1)
        #expect(feed.scheduler.interval(of: 1) == .seconds(900))
        #expect(feed.delay(after: .failed) == .seconds(3_600))
    }

    @Test("backoff uses the adapted interval as its base")
    func backoffBase() {
        var feed = OneFeed()
        _ = feed.delay(after: .changed(newEntries: 1))  // 450 s
        #expect(feed.delay(after: .failed) == .seconds(900))
        #expect(feed.delay(after: .failed) == .seconds(1_800))
    }

    @Test("backoff with jitter stays within ±jitter and under the cap")
    func backoffJitter() {
        var feed = OneFeed(policy: SchedulePolicy(maximumBackoff: .seconds(10_000), jitter: 0.1))
        var expected = 900.0
        for _ in 0..<6 {
            expected = min(10_000, expected * 2)
            guard let delay = feed.delay(after: .failed) else {
                Issue.record("not rescheduled")
                return
            }
            #expect(
                delay.inSeconds >= expected * 0.9 - 1e-6
                    && delay.inSeconds <= min(10_000, expected * 1.1) + 1e-6)
        }
    }

    @Test("Retry-After is honoured, raised to the minimum, capped at the maximum backoff")
    func retryAfter() {
        var feed = OneFeed(policy: SchedulePolicy(maximumBackoff: .seconds(7_200), jitter: 0))
        #expect(feed.delay(after: .throttled(retryAfter: .seconds(120))) == .seconds(120))
        #expect(feed.delay(after: .throttled(retryAfter: .seconds(5))) == .seconds(60))
        #expect(feed.delay(after: .throttled(retryAfter: .seconds(100_000))) == .seconds(7_200))
        #expect(feed.scheduler.consecutiveErrors(of: 1) == 3)
        // The backoff after it counts the throttled polls as errors.
        #expect(feed.delay(after: .failed) == .seconds(7_200))
        #expect(feed.delay(after: .unchanged) == .seconds(1_125))
    }

    @Test("Retry-After with jitter is never shortened")
    func retryAfterJitter() {
        var feed = OneFeed(policy: SchedulePolicy(jitter: 0.2))
        for _ in 0..<20 {
            guard let delay = feed.delay(after: .throttled(retryAfter: .seconds(300))) else {
                Issue.record("not rescheduled")
                return
            }
            #expect(delay >= .seconds(300) && delay <= .seconds(360))
        }
    }

    @Test("gone: never due again, pings do nothing, a new URL from the feeds file revives it")
    func gone() {
        var feed = OneFeed()
        guard let result = feed.poll(.gone) else {
            Issue.record("not polled")
            return
        }
        #expect(result.completion == Completion(status: .gone))
        #expect(feed.scheduler.state(of: 1) == .gone)
        #expect(feed.scheduler.goneCount == 1)
        #expect(feed.scheduler.nextDue == nil)
        let later = feed.start + .seconds(1_000_000)
        #expect(feed.scheduler.popDue(now: later, limit: 10).isEmpty)
        #expect(feed.scheduler.pollSoon(feed: 1, now: later) == .gone)
        #expect(feed.scheduler.popDue(now: later, limit: 10).isEmpty)

        // The same line again changes nothing.
        let sameLine = [ScheduledFeed(id: 1, url: "https://example.com/feed.xml")]
        #expect(feed.scheduler.sync(with: sameLine, now: later) == SyncSummary(unchanged: 1))
        #expect(feed.scheduler.state(of: 1) == .gone)

        let moved = [ScheduledFeed(id: 1, url: "https://example.com/new.xml")]
        #expect(feed.scheduler.sync(with: moved, now: later) == SyncSummary(changed: 1))
        #expect(feed.scheduler.goneCount == 0)
        guard case .scheduled(let due) = feed.scheduler.state(of: 1) else {
            Issue.record("not revived")
            return
        }
        #expect(due >= later && due < later + .seconds(900))
        #expect(feed.scheduler.popDue(now: due, limit: 1).first?.url == "https://example.com/new.xml")
    }
}
