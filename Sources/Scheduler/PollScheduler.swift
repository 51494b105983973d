/// Decides when each feed is due: the daemon's driver loop takes due polls with
/// `popDue(now:limit:)`, reports each finished one with `complete(feed:verdict:hints:now:)`,
/// and sleeps until `nextDue` or a publisher's ping (`pollSoon(feed:now:)`).
///
/// Time is whatever the caller says: every mutating call takes `now`, nothing reads a clock,
/// and the jitter comes from a seeded generator, so a schedule is reproducible.
///
/// ## When a feed is due
/// - A new feed (from `sync` or `upsert`) is first due at a point spread over
///   [now, now + interval) by a golden-ratio sequence, so a reload of 100,000 feeds at 60 s
///   gives an even ~1,667 polls a second, never a burst.
/// - Its interval starts at the pinned one (from the feeds file) or `defaultInterval`. A
///   pinned interval never changes; only errors, Retry-After and ttl/max-age shape one delay.
/// - Adaptive: `changed` halves the interval, `unchanged` and `notModified` multiply it by
///   1.25; the publisher's ttl and max-age are a floor (never poll sooner than asked); all
///   clamped to [minimumInterval, maximumInterval]. Next due = now + interval × (1 ± jitter).
/// - Errors (`failed`, `throttled` without Retry-After): the n-th in a row waits
///   min(maximumBackoff, interval × 2^n) (± jitter); any success resets n.
/// - `throttled(retryAfter: d)`: waits max(d, minimumInterval), up to +jitter later, capped at
///   maximumBackoff; counts as an error for the backoff after it, and a ping cannot bring it
///   forward.
/// - `gone`: never due again, and pings do nothing, until `sync` changes its URL (it is then
///   scheduled like a new feed) or drops it.
/// - A permanent redirect to the same target on `redirectsToAdopt` consecutive polls replaces
///   the URL (`Completion.adoptedURL`); a poll without one, or to another target, restarts
///   the count.
/// - A ping makes a waiting feed due now; a ping during its poll makes it due again as soon as
///   that poll completes (unless it answered gone or throttled). Pings report as
///   `DuePoll.Reason.ping`.
/// - Pings are coalesced: ping-triggered polls of one feed start at least `pingInterval`
///   apart. A ping inside that window makes the feed due at the window's end (or keeps an
///   earlier due time); a ping while a ping-triggered poll is already pending, due or after
///   the poll under way, adds nothing (`PingResult.coalesced`).
/// - Rescheduling always counts from the completion's `now`, so after a stall the backlog
///   comes out earliest first, `limit` at a time, and the jitter spreads it again.
///
/// ## Feeds changed while polled
/// A feed removed while in flight is forgotten at once; its completion is ignored
/// (`.unknownFeed`). A URL changed by `sync` while in flight applies when the poll completes:
/// that verdict described the old URL, so it is dropped and the new URL is due at once.
///
/// ## Footprint and speed
/// One feed costs about 72 bytes plus its URL's length: 24 in `FeedRecord`, 12 in `LastPoll`, 8 for its ID,
/// ~8 of hash buckets, 20 in the due heap (16 for its entry, 4 for its position).
/// Measured in release (`swiftc -O -wmo` of these sources with a throwaway `main.swift`;
/// Swift 6.3.1, x86-64, 2 cores), 1,000,000 feeds with URLs of 44.7 bytes on average:
/// - `sync` of the whole list: 0.38–0.48 s; resident memory +105 bytes a feed (the arrays'
///   capacities: 105; 117 since `LastPoll`, by `ScaleTests`). Re-`sync` of the same list: 0.5 s.
/// - 1,000,000 single `upsert`s: 1.06–1.22 s including making the URL strings (0.33 s of
///   it); resident +109 bytes a feed (capacities 115: growth slack).
/// - popping and completing all 1,000,000 polls: 2.1–2.6 s (0.4 M polls/s), mostly heap
///   sift-downs missing the cache.
///
/// Use it from one task; it is a value type with no locks.
public struct PollScheduler: Sendable {
    /// The policy this scheduler was made with.
    public let policy: SchedulePolicy
    let rules: IntervalRules
    var random: SplitMix64
    var spread: GoldenSpread
    var clock = ClockOrigin()
    var slots = FeedSlots()
    /// Per-feed state, indexed by slot.
    var records: [FeedRecord] = []
    /// What each feed's last poll said, indexed by slot (for operators).
    var lastPolls: [LastPoll] = []
    var heap = DueHeap()
    var urls = URLArena()
    /// URLs set by `sync` while the feed was in flight, applied on completion.
    var deferredURLs: [Int32: String] = [:]
    /// Permanent redirects being counted, by slot.
    var redirectStreaks: [Int32: RedirectStreak] = [:]
    /// Feeds ping-polled within the last `pingInterval`, and when they may be again.
    var pingWindows: PingWindows
    /// How many feeds are in flight.
    public internal(set) var inFlightCount = 0
    /// How many feeds answered 410 Gone and are no longer polled.
    public internal(set) var goneCount = 0

    /// A permanent redirect seen on `count` consecutive polls.
    struct RedirectStreak: Sendable {
        var target: String
        var count: Int
    }

    /// An empty schedule. `seed` seeds the jitter and the spreading of first due times.
    public init(policy: SchedulePolicy = SchedulePolicy(), seed: UInt64) {
        self.policy = policy
        rules = IntervalRules(policy)
        random = SplitMix64(seed: seed)
        spread = GoldenSpread(start: random.next())
        pingWindows = PingWindows(length: policy.pingInterval)
    }

    /// How many feeds are known: waiting, in flight or gone.
    public var count: Int { slots.count }

    /// How many feeds are waiting to be due (neither in flight nor gone).
    public var waitingCount: Int { heap.count }

    /// The earliest due time among feeds neither in flight nor gone; nil when there is none.
    public var nextDue: ContinuousClock.Instant? {
        heap.first.map { clock.instant(at: $0.due) }
    }

    /// Whether `feed` is known.
    public func contains(_ feed: Int64) -> Bool { slots.slot(of: feed) != nil }

    /// The feed's URL: the newest known, so a URL that `sync` set during a poll shows at once.
    public func url(of feed: Int64) -> String? {
        guard let slot = slots.slot(of: feed) else { return nil }
        return deferredURLs[slot] ?? storedURL(slot)
    }

    /// The feed's interval: the pinned one, or the adaptive one as it stands (before jitter).
    public func interval(of feed: Int64) -> Duration? {
        slots.slot(of: feed).map { .nanoseconds(records[Int($0)].interval) }
    }

    /// Whether the feed's interval is pinned by the feeds file.
    public func isPinned(_ feed: Int64) -> Bool {
        slots.slot(of: feed).map { records[Int($0)].flags.contains(.pinned) } ?? false
    }

    /// Failed or throttled polls of the feed since its last success.
    public func consecutiveErrors(of feed: Int64) -> Int? {
        slots.slot(of: feed).map { Int(records[Int($0)].consecutiveErrors) }
    }

    /// Where the feed stands: due when, in flight, or gone; nil when unknown.
    public func state(of feed: Int64) -> FeedScheduleState? {
        guard let slot = slots.slot(of: feed) else { return nil }
        let flags = records[Int(slot)].flags
        if flags.contains(.inFlight) { return .inFlight }
        if flags.contains(.gone) { return .gone }
        return heap.due(of: slot).map { .scheduled(due: clock.instant(at: $0)) }
    }

    /// Bytes held by the scheduler's arrays (their capacities; not counting the rare side
    /// tables or allocator overhead), for metrics and measurements.
    public var allocatedBytes: Int {
        records.capacity * MemoryLayout<FeedRecord>.stride + lastPolls.capacity * MemoryLayout<LastPoll>.stride
            + slots.allocatedBytes + heap.allocatedBytes
            + urls.allocatedBytes
    }

    func storedURL(_ slot: Int32) -> String {
        let record = records[Int(slot)]
        return urls.string(offset: record.urlOffset, length: record.urlLength)
    }
}
