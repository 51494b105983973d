/// The per-feed state that lives in the scheduler's slot array: 24 bytes a feed.
///
/// The feed's ID lives in `FeedSlots`, its due time in `DueHeap`, its URL's bytes in
/// `URLArena`; rare state (a URL change waiting for an in-flight poll, a redirect being
/// counted) lives in small side dictionaries of `PollScheduler`.
struct FeedRecord: Sendable {
    /// The pinned interval, or the current adaptive one, in nanoseconds.
    var interval: Int64
    /// Where the URL's UTF-8 bytes start in the arena.
    var urlOffset: UInt32
    /// How many bytes the URL has.
    var urlLength: UInt32
    /// Failed or throttled polls since the last success (saturating).
    var consecutiveErrors: UInt8
    var flags: FeedFlags

    /// A free slot.
    static let vacant = FeedRecord(interval: 0, urlOffset: 0, urlLength: 0, consecutiveErrors: 0, flags: [])
}

/// One byte of per-feed booleans.
struct FeedFlags: OptionSet, Sendable {
    let rawValue: UInt8

    /// The slot holds a feed.
    static let occupied = FeedFlags(rawValue: 1 << 0)
    /// The interval is pinned by the feeds file; it does not adapt.
    static let pinned = FeedFlags(rawValue: 1 << 1)
    /// Handed out by `popDue`, not yet completed; not in the heap.
    static let inFlight = FeedFlags(rawValue: 1 << 2)
    /// Answered 410; not in the heap.
    static let gone = FeedFlags(rawValue: 1 << 3)
    /// Pinged while in flight: due again as soon as that poll completes.
    static let pendingPing = FeedFlags(rawValue: 1 << 4)
    /// The current due time comes from a ping (reported as `DuePoll.Reason.ping`).
    static let dueByPing = FeedFlags(rawValue: 1 << 5)
    /// The current due time honours a 429/503; a ping does not bring it forward.
    static let throttled = FeedFlags(rawValue: 1 << 6)
    /// Seen in the list during the current `sync` (mark and sweep).
    static let seenInSync = FeedFlags(rawValue: 1 << 7)
}
