import Scheduler
import Testing

/// `put` (the control endpoint's `PUT /feeds/{id}`), what a feed's last poll said, and the
/// feeds in trouble.
@Suite("Feeds changed at run time")
struct RunTimeChangeTests {
    @Test("a feed put is due now, not spread over its interval; a second put of the same line changes nothing")
    func addedDueNow() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 1)
        let now = ContinuousClock.now
        let feed = ScheduledFeed(id: 7, url: "https://example.com/7", interval: .seconds(3600))
        #expect(scheduler.put(feed, now: now) == .added)
        #expect(scheduler.state(of: 7) == .scheduled(due: now))
        #expect(scheduler.put(feed, now: now + .seconds(1)) == .unchanged)
        #expect(scheduler.popDue(now: now, limit: 10).map(\.feed) == [7])
    }

    @Test("a new URL is due now; a new interval alone keeps the due time")
    func changed() {
        var feed = OneFeed(interval: .seconds(600))
        let later = feed.start + .seconds(5)
        let due = feed.scheduler.nextDue
        #expect(feed.scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/feed.xml", interval: .seconds(900)), now: later) == .changed)
        #expect(feed.scheduler.nextDue == due)
        #expect(feed.scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/moved.xml", interval: .seconds(900)), now: later) == .changed)
        #expect(feed.scheduler.state(of: 1) == .scheduled(due: later))
    }

    @Test("a gone feed put again, same URL or not, is revived and due now")
    func revived() {
        var feed = OneFeed()
        _ = feed.poll(.gone)
        #expect(feed.scheduler.state(of: 1) == .gone)
        #expect(feed.scheduler.goneCount == 1)
        let now = ContinuousClock.now
        #expect(feed.scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/feed.xml"), now: now) == .revived)
        #expect(feed.scheduler.state(of: 1) == .scheduled(due: now))
        #expect(feed.scheduler.goneCount == 0)
        _ = feed.poll(.gone)
        #expect(feed.scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/other.xml"), now: now) == .revived)
        #expect(feed.scheduler.state(of: 1) == .scheduled(due: now))
    }

    @Test("a put while the feed is polled waits for the poll's end; then the new URL is due at once")
    func putInFlight() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 1)
        let now = ContinuousClock.now
        scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/a"), now: now)
        _ = scheduler.popDue(now: now, limit: 1)
        #expect(scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/b"), now: now) == .changed)
        #expect(scheduler.state(of: 1) == .inFlight)
        let completion = scheduler.complete(feed: 1, verdict: .unchanged, now: now + .seconds(1))
        #expect(completion.nextDue == now + .seconds(1))
        #expect(scheduler.url(of: 1) == "https://example.com/b")
    }

    @Test("the last poll's note: outcome, time, new entries kept; a removed and re-added feed starts blank")
    func notes() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 1)
        let now = ContinuousClock.now
        scheduler.put(ScheduledFeed(id: 1, url: "https://example.com/a"), now: now)
        #expect(scheduler.standing(of: 1)?.lastPoll == .never)
        scheduler.notePoll(feed: 1, outcome: 3, at: 1_000, newEntries: true)
        scheduler.notePoll(feed: 1, outcome: 4, at: 2_000, newEntries: false)
        #expect(scheduler.standing(of: 1)?.lastPoll == LastPoll(endedAt: 2_000, newEntriesAt: 1_000, outcome: 4))
        scheduler.remove(feed: 1)
        scheduler.put(ScheduledFeed(id: 2, url: "https://example.com/b"), now: now)  // reuses the slot
        #expect(scheduler.standing(of: 2)?.lastPoll == .never)
    }

    @Test("failing feeds listed most errors first, then by ID; gone ones apart")
    func troubled() {
        var scheduler = PollScheduler(policy: .noJitter, seed: 1)
        var now = ContinuousClock.now
        for id in 1...5 as ClosedRange<Int64> { scheduler.put(ScheduledFeed(id: id, url: "https://example.com/\(id)"), now: now) }
        let verdicts: [Int64: [PollVerdict]] = [1: [.unchanged, .failed], 2: [.failed, .failed], 3: [.changed(newEntries: 1)], 4: [.gone], 5: [.unchanged, .throttled(retryAfter: nil)]]
        for round in 0..<2 {
            for poll in scheduler.popDue(now: now, limit: 10) {
                let list = verdicts[poll.feed] ?? []
                scheduler.complete(feed: poll.feed, verdict: round < list.count ? list[round] : .unchanged, now: now)
            }
            now += .seconds(100_000)
        }
        #expect(scheduler.troubledFeeds(.failing).map(\.id) == [2, 1, 5])
        #expect(scheduler.troubledFeeds(.gone).map(\.id) == [4])
        #expect(scheduler.standing(of: 2)?.consecutiveErrors == 2)
    }
}
