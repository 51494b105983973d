import Scheduler

extension SchedulePolicy {
    /// The default policy without jitter, so delays are exact.
    static let noJitter = SchedulePolicy(jitter: 0)
}

extension Duration {
    /// This duration in seconds, as a Double, for tolerant comparisons.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

/// `count` adaptive feeds with IDs 1...count.
func makeFeeds(_ count: Int, interval: Duration? = nil) -> [ScheduledFeed] {
    (1...Int64(count)).map {
        ScheduledFeed(id: $0, url: "https://feeds\($0 % 97).example.com/\($0).xml", interval: interval)
    }
}

/// A scheduler holding one feed, ID 1, added at `start`, polled one verdict at a time exactly
/// when it is due.
struct OneFeed {
    var scheduler: PollScheduler
    let start = ContinuousClock.now

    init(
        policy: SchedulePolicy = .noJitter, interval: Duration? = nil,
        url: String = "https://example.com/feed.xml"
    ) {
        scheduler = PollScheduler(policy: policy, seed: 42)
        scheduler.upsert(ScheduledFeed(id: 1, url: url, interval: interval), now: start)
    }

    /// When the feed is due, or nil when it is not waiting.
    var due: ContinuousClock.Instant? {
        if case .scheduled(let due) = scheduler.state(of: 1) { return due }
        return nil
    }

    /// Pops the feed when it is due and completes it at that same instant.
    mutating func poll(_ verdict: PollVerdict, hints: PollHints = .none) -> (
        completion: Completion, delay: Duration?
    )? {
        guard let due else { return nil }
        let polls = scheduler.popDue(now: due, limit: 10)
        guard polls.map(\.feed) == [1] else { return nil }
        let completion = scheduler.complete(feed: 1, verdict: verdict, hints: hints, now: due)
        return (completion, completion.nextDue.map { $0 - due })
    }

    /// The delay to the next due time after `verdict`, or nil when not rescheduled.
    mutating func delay(after verdict: PollVerdict, hints: PollHints = .none) -> Duration? {
        poll(verdict, hints: hints)?.delay
    }
}
