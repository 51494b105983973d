import Testing

@testable import Scheduler

@Suite("Adopting permanent redirects")
struct RedirectTests {
    static let old = "https://example.com/feed.xml"
    static let new = "https://example.org/feed"
    static let redirected = PollHints(permanentRedirect: new)

    @Test("the URL is replaced on the third consecutive redirect to the same target")
    func adoptAfterThree() {
        var feed = OneFeed(url: Self.old)
        #expect(feed.poll(.unchanged, hints: Self.redirected)?.completion.adoptedURL == nil)
        #expect(feed.poll(.notModified, hints: Self.redirected)?.completion.adoptedURL == nil)
        #expect(feed.scheduler.url(of: 1) == Self.old)
        #expect(feed.poll(.changed(newEntries: 1), hints: Self.redirected)?.completion.adoptedURL == Self.new)
        #expect(feed.scheduler.url(of: 1) == Self.new)
        guard let due = feed.due else {
            Issue.record("not rescheduled")
            return
        }
        #expect(feed.scheduler.popDue(now: due, limit: 1).first?.url == Self.new)
        // Polling the new URL, no redirect: nothing more to adopt.
        #expect(feed.scheduler.complete(feed: 1, verdict: .unchanged, now: due).adoptedURL == nil)
    }

    @Test("a poll without a redirect, or to another target, restarts the count")
    func streakResets() {
        var feed = OneFeed(url: Self.old)
        _ = feed.poll(.unchanged, hints: Self.redirected)
        _ = feed.poll(.unchanged, hints: Self.redirected)
        _ = feed.poll(.unchanged)
        _ = feed.poll(.unchanged, hints: Self.redirected)
        _ = feed.poll(.unchanged, hints: Self.redirected)
        _ = feed.poll(.unchanged, hints: PollHints(permanentRedirect: "https://elsewhere.example/feed"))
        _ = feed.poll(.unchanged, hints: Self.redirected)
        #expect(feed.poll(.unchanged, hints: Self.redirected)?.completion.adoptedURL == nil)
        #expect(feed.scheduler.url(of: 1) == Self.old)
        #expect(feed.poll(.failed, hints: Self.redirected)?.completion.adoptedURL == Self.new)
        #expect(feed.scheduler.url(of: 1) == Self.new)
    }

    @Test("a redirect to the feed's own URL counts for nothing")
    func redirectToSelf() {
        var feed = OneFeed(url: Self.old)
        for _ in 0..<5 {
            #expect(
                feed.poll(.unchanged, hints: PollHints(permanentRedirect: Self.old))?.completion.adoptedURL
                    == nil)
        }
    }

    @Test("redirectsToAdopt is configurable: 1 adopts at once")
    func adoptAtOnce() {
        var feed = OneFeed(policy: SchedulePolicy(jitter: 0, redirectsToAdopt: 1), url: Self.old)
        #expect(feed.poll(.unchanged, hints: Self.redirected)?.completion.adoptedURL == Self.new)
        #expect(feed.scheduler.url(of: 1) == Self.new)
    }
}
