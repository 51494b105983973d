import Testing

@testable import Scheduler

@Suite("Publisher pings")
struct PingTests {
    @Test("a ping makes a waiting feed due now, reported as a ping")
    func dueNow() {
        var feed = OneFeed()
        let now = feed.start + .seconds(1)
        guard let due = feed.due, due > now else {
            Issue.record("expected a later due time")
            return
        }
        #expect(feed.scheduler.pollSoon(feed: 1, now: now) == .scheduled(due: now))
        #expect(feed.scheduler.nextDue == now)
        let polls = feed.scheduler.popDue(now: now, limit: 10)
        #expect(polls.map(\.feed) == [1])
        #expect(polls.first?.reason == .ping)
        // The next, clock-driven, poll reports as such.
        let next = feed.scheduler.complete(feed: 1, verdict: .changed(newEntries: 1), now: now).nextDue!
        #expect(feed.scheduler.popDue(now: next, limit: 10).first?.reason == .clock)
    }

    @Test("a ping does not postpone an overdue feed")
    func overdueStays() {
        var feed = OneFeed()
        guard let due = feed.due else {
            Issue.record("not scheduled")
            return
        }
        let later = due + .seconds(30)
        #expect(feed.scheduler.pollSoon(feed: 1, now: later) == .scheduled(due: due))
    }

    @Test("a ping during a poll brings the next poll right after it completes, once")
    func pendingPing() {
        var feed = OneFeed()
        guard let due = feed.due else {
            Issue.record("not scheduled")
            return
        }
        #expect(feed.scheduler.popDue(now: due, limit: 1).count == 1)
        #expect(feed.scheduler.pollSoon(feed: 1, now: due) == .alreadyInFlight)
        #expect(feed.scheduler.pollSoon(feed: 1, now: due) == .coalesced)
        let done = due + .seconds(2)
        let completion = feed.scheduler.complete(feed: 1, verdict: .unchanged, now: done)
        #expect(completion.nextDue == done)
        // The interval still adapted.
        #expect(feed.scheduler.interval(of: 1) == .seconds(1_125))
        let again = feed.scheduler.popDue(now: done, limit: 10)
        #expect(again.map(\.reason) == [.ping])
        // Only one pending ping is remembered.
        let after = feed.scheduler.complete(feed: 1, verdict: .unchanged, now: done)
        #expect(after.nextDue == done + .milliseconds(1_406_250))
    }

    @Test("a ping does not override Retry-After, before or after the poll")
    func throttledIgnoresPing() {
        var feed = OneFeed()
        guard let due = feed.due else {
            Issue.record("not scheduled")
            return
        }
        _ = feed.scheduler.popDue(now: due, limit: 1)
        #expect(feed.scheduler.pollSoon(feed: 1, now: due) == .alreadyInFlight)
        let completion = feed.scheduler.complete(
            feed: 1, verdict: .throttled(retryAfter: .seconds(600)), now: due)
        #expect(completion.nextDue == due + .seconds(600))
        // The ping during the poll is pending; this one merges into it.
        #expect(feed.scheduler.pollSoon(feed: 1, now: due + .seconds(1)) == .coalesced)
        #expect(feed.scheduler.state(of: 1) == .scheduled(due: due + .seconds(600)))
        #expect(feed.scheduler.popDue(now: due + .seconds(599), limit: 1).isEmpty)
        #expect(feed.scheduler.popDue(now: due + .seconds(600), limit: 1).map(\.reason) == [.ping])
    }

    @Test("a ping for an unknown feed or a gone one changes nothing")
    func unknownAndGone() {
        var feed = OneFeed()
        #expect(feed.scheduler.pollSoon(feed: 99, now: feed.start) == .unknownFeed)
        _ = feed.poll(.gone)
        #expect(feed.scheduler.pollSoon(feed: 1, now: feed.start + .seconds(5_000)) == .gone)
        #expect(feed.scheduler.nextDue == nil)
    }

    @Test("a ping brings forward a feed in error backoff")
    func pingDuringBackoff() {
        var feed = OneFeed()
        guard let delay = feed.delay(after: .failed), let due = feed.due else {
            Issue.record("not scheduled")
            return
        }
        #expect(delay == .seconds(1_800))
        let now = due - .seconds(1_000)
        #expect(feed.scheduler.pollSoon(feed: 1, now: now) == .scheduled(due: now))
    }
}
