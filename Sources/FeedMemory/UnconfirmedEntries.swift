import Metrics
import Synchronization

/// The entries the daemon has handled but not yet stored in the feed's set: the in-memory
/// stand-in for a set that cannot be read (its shard is down) or written (it refuses writes).
///
/// Per feed it holds two kinds of keys:
/// - **handled**: sent to the sink, or recorded as the backlog of a feed known to be new. Every
///   diff leaves them out: sent once, not at every poll while the shard is away.
/// - **tentative**: the document of a feed's first poll when the store could not say whether
///   the feed is new. Not sent; later polls leave them out while the store stays unreadable.
///   Once it answers, the feed's own set decides: no set means the feed is new and these were
///   its backlog; a set means the feed was known, and those of them it lacks are news.
///
/// The next mark that lands writes the held keys with the document and drops the feed from
/// here. Bounded: at most `limit` keys in all and `feedLimit` per feed; past either, the feed's
/// new keys are not held and its entries may go out again at its next poll (fail open, as
/// without the stand-in), counted in `hubdiffer_unconfirmed_overflows_total`.
public final class UnconfirmedEntries: Sendable {
    /// What is held for one feed.
    public struct Held: Sendable, Equatable {
        public var handled: Set<UInt64>
        public var tentative: Set<UInt64>

        public init(handled: Set<UInt64> = [], tentative: Set<UInt64> = []) {
            self.handled = handled
            self.tentative = tentative
        }

        public var count: Int { handled.count + tentative.count }
    }

    /// About what a held key costs: a `Set<UInt64>` at its load factor.
    public static let bytesPerKey = 16
    /// About what a feed costs beyond its keys (a dictionary entry and two set headers).
    public static let bytesPerFeed = 100

    /// Keys held at most, over all feeds.
    public let limit: Int
    /// Keys held at most for one feed (a feed whose marks keep failing for a reason of its own
    /// must not use up the room every other feed needs in an outage).
    public let feedLimit: Int
    private let state: Mutex<(feeds: [Int64: Held], keys: Int)>
    private let overflows: Counter

    public init(limit: Int, feedLimit: Int = 50_000, metrics: MetricsFactory = MetricsSystem.factory) {
        self.limit = limit
        self.feedLimit = feedLimit
        state = Mutex(([:], 0))
        overflows = Counter(label: "hubdiffer_unconfirmed_overflows_total", factory: metrics)
    }

    /// What is held for `feed`; nil when nothing.
    public func held(_ feed: Int64) -> Held? { state.withLock { $0.feeds[feed] } }

    /// Holds `held` for `feed` in place of what was held, until ``confirm(_:)``; an empty one
    /// releases the feed. False when the limits leave no room (what was held stays).
    @discardableResult
    public func replace(_ feed: Int64, with held: Held) -> Bool {
        let fits = state.withLock { state -> Bool in
            let before = state.feeds[feed]?.count ?? 0
            guard held.count <= feedLimit, state.keys - before + held.count <= limit else { return false }
            state.keys += held.count - before
            state.feeds[feed] = held.count == 0 ? nil : held
            return true
        }
        if !fits { overflows.increment() }
        return fits
    }

    /// The feed's entries are stored: forget them.
    public func confirm(_ feed: Int64) {
        state.withLock { state in
            if let held = state.feeds.removeValue(forKey: feed) { state.keys -= held.count }
        }
    }

    /// Feeds and keys held, and an estimate of the bytes they take.
    public var usage: (feeds: Int, keys: Int, bytes: Int) {
        state.withLock { ($0.feeds.count, $0.keys, $0.keys * Self.bytesPerKey + $0.feeds.count * Self.bytesPerFeed) }
    }
}
