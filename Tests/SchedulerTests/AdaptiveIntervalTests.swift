import Testing

@testable import Scheduler

@Suite("Adaptive intervals")
struct AdaptiveIntervalTests {
    @Test("changed halves the interval down to the minimum")
    func halvingToFloor() {
        var feed = OneFeed()
        #expect(feed.scheduler.interval(of: 1) == .seconds(900))
        #expect(feed.delay(after: .changed(newEntries: 3)) == .seconds(450))
        #expect(feed.delay(after: .changed(newEntries: 1)) == .seconds(225))
        #expect(feed.delay(after: .changed(newEntries: 1)) == .milliseconds(112_500))
        #expect(feed.delay(after: .changed(newEntries: 1)) == .seconds(60))
        #expect(feed.delay(after: .changed(newEntries: 1)) == .seconds(60))
        #expect(feed.scheduler.interval(of: 1) == .seconds(60))
    }

    @Test("undetermined (the store could not tell what was new) keeps the interval and clears errors")
    func undeterminedKeepsInterval() {
        var feed = OneFeed(policy: SchedulePolicy(maximumInterval: .seconds(3_600), jitter: 0))
        #expect(feed.delay(after: .changed(newEntries: 1)) == .seconds(450))
        for _ in 0..<5 { #expect(feed.delay(after: .undetermined) == .seconds(450)) }
        #expect(feed.scheduler.interval(of: 1) == .seconds(450))
        #expect(feed.delay(after: .failed) == .seconds(900))
        #expect(feed.delay(after: .undetermined) == .seconds(450), "a read document ends a backoff")
    }

    @Test("unchanged and notModified grow the interval by 1.25 up to the maximum")
    func growthToCeiling() {
        var feed = OneFeed(policy: SchedulePolicy(maximumInterval: .seconds(3_600), jitter: 0))
        #expect(feed.delay(after: .unchanged) == .seconds(1_125))
        #expect(feed.delay(after: .notModified) == .milliseconds(1_406_250))
        var previous = 1_406.25
        for _ in 0..<10 {
            guard let delay = feed.delay(after: .notModified) else {
                Issue.record("not rescheduled")
                return
            }
            #expect(abs(delay.inSeconds - min(3_600, previous * 1.25)) < 1e-6)
            previous = delay.inSeconds
        }
        #expect(feed.scheduler.interval(of: 1) == .seconds(3_600))
        #expect(feed.delay(after: .unchanged) == .seconds(3_600))
        // And back down.
        #expect(feed.delay(after: .changed(newEntries: 1)) == .seconds(1_800))
    }

    @Test("jitter keeps each delay within ±jitter of the interval, and varies it")
    func jitterBounds() {
        var feed = OneFeed(
            policy: SchedulePolicy(
                defaultInterval: .seconds(1_000), maximumInterval: .seconds(100_000), jitter: 0.1))
        var delays: [Double] = []
        var interval = 1_000.0
        for _ in 0..<8 {
            interval *= 1.25
            guard let delay = feed.delay(after: .unchanged) else {
                Issue.record("not rescheduled")
                return
            }
            #expect(delay.inSeconds >= interval * 0.9 - 1e-6 && delay.inSeconds <= interval * 1.1 + 1e-6)
            delays.append(delay.inSeconds / interval)
        }
        #expect(Set(delays).count == delays.count)
        // The interval itself carries no jitter.
        #expect(abs(feed.scheduler.interval(of: 1)!.inSeconds - interval) < 1e-6)
    }

    @Test("ttl and max-age are a floor on the interval, clamped to the maximum")
    func publisherFloors() {
        var feed = OneFeed()
        #expect(
            feed.delay(after: .changed(newEntries: 1), hints: PollHints(ttl: .seconds(3_600)))
                == .seconds(3_600))
        #expect(feed.scheduler.interval(of: 1) == .seconds(3_600))
        #expect(
            feed.delay(after: .changed(newEntries: 1), hints: PollHints(maxAge: .seconds(2_400)))
                == .seconds(2_400))
        #expect(
            feed.delay(after: .unchanged, hints: PollHints(ttl: .seconds(100), maxAge: .seconds(5_000)))
                == .seconds(5_000))
        // A floor under the computed interval changes nothing.
        #expect(feed.delay(after: .unchanged, hints: PollHints(ttl: .seconds(60))) == .seconds(6_250))
        // Beyond the maximum, clamped.
        #expect(feed.delay(after: .unchanged, hints: PollHints(ttl: .seconds(1_000_000))) == .seconds(86_400))
    }

    @Test("with jitter, a ttl is still never undercut")
    func floorBeatsJitter() {
        var feed = OneFeed(policy: SchedulePolicy(jitter: 0.5))
        for _ in 0..<20 {
            guard
                let delay = feed.delay(after: .changed(newEntries: 1), hints: PollHints(ttl: .seconds(1_200)))
            else {
                Issue.record("not rescheduled")
                return
            }
            #expect(delay >= .seconds(1_200) && delay <= .seconds(1_800))
        }
    }

    @Test("minimum applies to jittered delays too")
    func minimumBeatsJitter() {
        var feed = OneFeed(policy: SchedulePolicy(defaultInterval: .seconds(60), jitter: 0.3))
        for _ in 0..<20 {
            guard let delay = feed.delay(after: .changed(newEntries: 1)) else {
                Issue.record("not rescheduled")
                return
            }
            #expect(delay >= .seconds(60) && delay <= .seconds(78))
        }
    }

    @Test("a pinned interval stays; ttl delays one poll only")
    func pinned() {
        var feed = OneFeed(interval: .seconds(300))
        #expect(feed.scheduler.isPinned(1))
        #expect(feed.delay(after: .changed(newEntries: 9)) == .seconds(300))
        #expect(feed.delay(after: .unchanged) == .seconds(300))
        #expect(feed.delay(after: .notModified) == .seconds(300))
        #expect(feed.delay(after: .unchanged, hints: PollHints(ttl: .seconds(1_800))) == .seconds(1_800))
        #expect(feed.scheduler.interval(of: 1) == .seconds(300))
        #expect(feed.delay(after: .unchanged) == .seconds(300))
        #expect(feed.delay(after: .failed) == .seconds(600))
        #expect(feed.delay(after: .unchanged) == .seconds(300))
    }

    @Test("a pinned interval is clamped to the policy's bounds")
    func pinnedClamped() {
        var short = OneFeed(interval: .seconds(5))
        #expect(short.scheduler.interval(of: 1) == .seconds(60))
        #expect(short.delay(after: .unchanged) == .seconds(60))
        let long = OneFeed(interval: .seconds(1_000_000))
        #expect(long.scheduler.interval(of: 1) == .seconds(86_400))
    }

    @Test("interval rules on their own: clamps and inconsistent policies")
    func rulesNormalizePolicy() {
        let rules = IntervalRules(
            SchedulePolicy(
                defaultInterval: .seconds(1), minimumInterval: .seconds(100), maximumInterval: .seconds(50),
                jitter: 7, redirectsToAdopt: 0))
        #expect(rules.minimumInterval == 100_000_000_000)
        #expect(rules.maximumInterval == 100_000_000_000)
        #expect(rules.defaultInterval == 100_000_000_000)
        #expect(rules.jitter == 0.5)
        #expect(rules.redirectsToAdopt == 1)
        #expect(Duration.seconds(Int64.max).saturatingNanoseconds == .max)
        #expect(Duration.seconds(-5).saturatingNanoseconds == -5_000_000_000)
    }
}
