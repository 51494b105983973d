import Testing

@testable import Scheduler

@Suite("Reloading the feeds file", .ownThread(nice: 19))
struct SyncTests {
    static func dues(_ scheduler: PollScheduler, _ ids: [Int64]) -> [Int64: FeedScheduleState] {
        Dictionary(uniqueKeysWithValues: ids.compactMap { id in scheduler.state(of: id).map { (id, $0) } })
    }

    @Test("sync adds new feeds, removes missing ones, updates changed ones keeping due times")
    func addRemoveChange() {
        var scheduler = PollScheduler(seed: 1)
        let start = ContinuousClock.now
        var feeds = makeFeeds(10)
        #expect(scheduler.sync(with: feeds, now: start) == SyncSummary(added: 10))
        let before = Self.dues(scheduler, Array(1...10))

        feeds.removeAll { $0.id == 3 || $0.id == 7 }
        feeds[0].url = "https://moved.example.com/1"  // ID 1
        feeds[1].interval = .seconds(120)  // ID 2
        feeds.append(ScheduledFeed(id: 11, url: "https://new.example.com/11"))
        let later = start + .seconds(30)
        #expect(
            scheduler.sync(with: feeds, now: later)
                == SyncSummary(added: 1, removed: 2, changed: 2, unchanged: 6))
        #expect(scheduler.count == 9)
        #expect(!scheduler.contains(3) && !scheduler.contains(7) && scheduler.contains(11))
        #expect(scheduler.url(of: 1) == "https://moved.example.com/1")
        #expect(scheduler.interval(of: 2) == .seconds(120))
        #expect(scheduler.isPinned(2))
        let after = Self.dues(scheduler, Array(1...10))
        for id: Int64 in [1, 2, 4, 5, 6, 8, 9, 10] { #expect(after[id] == before[id], "feed \(id)") }
        guard case .scheduled(let due) = scheduler.state(of: 11) else {
            Issue.record("11 not scheduled")
            return
        }
        #expect(due >= later && due < later + .seconds(900))

        // Unpinning keeps the interval as the adaptive start; the same list again is a no-op.
        feeds[1].interval = nil
        #expect(scheduler.sync(with: feeds, now: later) == SyncSummary(changed: 1, unchanged: 8))
        #expect(!scheduler.isPinned(2) && scheduler.interval(of: 2) == .seconds(120))
        #expect(scheduler.sync(with: feeds, now: later) == SyncSummary(unchanged: 9))
        #expect(Self.dues(scheduler, Array(1...11)) == Self.dues(scheduler, Array(1...11)))
    }

    @Test("duplicate IDs: the first line wins")
    func duplicates() {
        var scheduler = PollScheduler(seed: 1)
        let feeds = [
            ScheduledFeed(id: 1, url: "https://a.example/1"),
            ScheduledFeed(id: 1, url: "https://b.example/1"),
        ]
        #expect(scheduler.sync(with: feeds, now: .now) == SyncSummary(added: 1, duplicates: 1))
        #expect(scheduler.url(of: 1) == "https://a.example/1")
    }

    @Test("an empty list removes everything, in flight or gone")
    func removeAll() {
        var scheduler = PollScheduler(seed: 1)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(5), now: start)
        let polls = scheduler.popDue(now: start + .seconds(900), limit: 2)
        scheduler.complete(feed: polls[0].feed, verdict: .gone, now: start + .seconds(900))
        #expect(scheduler.sync(with: [], now: start + .seconds(901)) == SyncSummary(removed: 5))
        #expect(scheduler.count == 0 && scheduler.inFlightCount == 0 && scheduler.goneCount == 0)
        #expect(scheduler.nextDue == nil)
        #expect(
            scheduler.complete(feed: polls[1].feed, verdict: .unchanged, now: start + .seconds(902)).status
                == .unknownFeed)
    }

    @Test("completing a feed removed while in flight is ignored; so is one removed and re-added")
    func completionAfterRemoval() {
        var scheduler = PollScheduler(seed: 1)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(2), now: start)
        let late = start + .seconds(1_000)
        #expect(scheduler.popDue(now: late, limit: 5).count == 2)
        let removed = scheduler.remove(feed: 1)
        let removedAgain = scheduler.remove(feed: 1)
        #expect(removed && !removedAgain)
        let ignored = scheduler.complete(feed: 1, verdict: .changed(newEntries: 2), now: late)
        #expect(ignored == Completion(status: .unknownFeed))
        #expect(ignored.wasIgnored)
        #expect(scheduler.count == 1)

        scheduler.sync(with: [], now: late)
        #expect(scheduler.upsert(ScheduledFeed(id: 2, url: "https://x.example/2"), now: late) == .added)
        #expect(scheduler.complete(feed: 2, verdict: .unchanged, now: late).status == .notInFlight)
        #expect(scheduler.inFlightCount == 0)
        #expect(scheduler.waitingCount == 1)
    }

    @Test("a URL changed while in flight applies when the poll completes, and the new URL is due then")
    func urlChangeInFlight() {
        var feed = OneFeed()
        guard let due = feed.due else {
            Issue.record("not scheduled")
            return
        }
        #expect(feed.scheduler.popDue(now: due, limit: 1).first?.url == "https://example.com/feed.xml")
        let moved = ScheduledFeed(id: 1, url: "https://example.com/moved.xml")
        #expect(feed.scheduler.upsert(moved, now: due) == .changed)
        #expect(feed.scheduler.state(of: 1) == .inFlight)
        #expect(feed.scheduler.url(of: 1) == "https://example.com/moved.xml")
        let done = due + .seconds(3)
        let completion = feed.scheduler.complete(feed: 1, verdict: .failed, now: done)
        #expect(completion == Completion(status: .rescheduled, nextDue: done))
        #expect(feed.scheduler.consecutiveErrors(of: 1) == 0)
        #expect(feed.scheduler.popDue(now: done, limit: 1).first?.url == "https://example.com/moved.xml")
    }

    @Test("a URL changed and changed back while in flight leaves the poll's verdict in force")
    func urlRevertedInFlight() {
        var feed = OneFeed()
        guard let due = feed.due else {
            Issue.record("not scheduled")
            return
        }
        _ = feed.scheduler.popDue(now: due, limit: 1)
        #expect(
            feed.scheduler.upsert(ScheduledFeed(id: 1, url: "https://example.com/other"), now: due)
                == .changed)
        #expect(
            feed.scheduler.upsert(ScheduledFeed(id: 1, url: "https://example.com/feed.xml"), now: due)
                == .changed)
        #expect(
            feed.scheduler.upsert(ScheduledFeed(id: 1, url: "https://example.com/feed.xml"), now: due)
                == .unchanged)
        #expect(
            feed.scheduler.complete(feed: 1, verdict: .unchanged, now: due).nextDue == due + .seconds(1_125))
    }

    @Test("a URL change on a waiting feed resets its errors and redirect count but keeps its due time")
    func urlChangeWaiting() {
        var feed = OneFeed()
        _ = feed.delay(after: .failed)
        _ = feed.poll(.failed, hints: PollHints(permanentRedirect: "https://r.example/"))
        _ = feed.poll(.failed, hints: PollHints(permanentRedirect: "https://r.example/"))
        let due = feed.due
        #expect(
            feed.scheduler.upsert(ScheduledFeed(id: 1, url: "https://example.com/v2"), now: feed.start)
                == .changed)
        #expect(feed.due == due)
        #expect(feed.scheduler.consecutiveErrors(of: 1) == 0)
        #expect(
            feed.poll(.unchanged, hints: PollHints(permanentRedirect: "https://r.example/"))?.completion
                .adoptedURL == nil)
    }

    @Test("many URL changes and removals keep every URL right through arena compactions")
    func churn() {
        var scheduler = PollScheduler(seed: 4)
        let start = ContinuousClock.now
        var model: [Int64: String] = [:]
        var generator = SplitMix64(seed: 77)
        for round in 0..<40 {
            var feeds: [ScheduledFeed] = []
            for id in Int64(1)...2_000 where generator.next() % 4 != 0 {
                let url =
                    "https://churn.example.com/\(id)/\(round)/\(String(repeating: "x", count: Int(generator.next() % 40)))"
                feeds.append(
                    ScheduledFeed(id: id, url: model[id].map { generator.next() % 2 == 0 ? $0 : url } ?? url))
            }
            scheduler.sync(with: feeds, now: start + .seconds(round))
            model = Dictionary(uniqueKeysWithValues: feeds.map { ($0.id, $0.url) })
            #expect(scheduler.count == model.count)
        }
        #expect(scheduler.urls.garbage <= max(1 << 20, scheduler.urls.bytes.count))
        for (id, url) in model { #expect(scheduler.url(of: id) == url) }
        let polls = scheduler.popDue(now: start + .seconds(100_000), limit: .max)
        #expect(polls.count == model.count)
        #expect(polls.allSatisfy { model[$0.feed] == $0.url })
    }
}
