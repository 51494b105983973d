import Synchronization

/// The entries the daemon has handled — sent to the sink, or recorded as a first poll's
/// backlog — but not yet known to be stored in the feed's set: the in-memory stand-in for a
/// set that cannot be read or written (the shard is down, or refuses writes).
///
/// Every diff leaves these keys out (sent once, not at every poll while the shard is away;
/// a backlog recorded in memory stays unsent), and the next mark that lands writes them along
/// with the document and drops the feed from here. Bounded by `limit` keys in all: past it, a
/// feed's new keys are not remembered and its entries may go out again at its next poll (fail
/// open, as without the stand-in), counted as an overflow.
public final class UnconfirmedEntries: Sendable {
    /// Keys held at most, over all feeds.
    public let limit: Int
    private let state: Mutex<(feeds: [Int64: Set<UInt64>], keys: Int, overflows: Int)>

    public init(limit: Int) {
        self.limit = limit
        state = Mutex(([:], 0, 0))
    }

    /// The keys held for `feed`; nil when none.
    public func keys(of feed: Int64) -> Set<UInt64>? { state.withLock { $0.feeds[feed] } }

    /// Holds `keys` for `feed` until ``confirm(_:)``. False when the limit leaves no room
    /// (nothing is added then).
    @discardableResult
    public func hold(_ keys: some Collection<UInt64>, for feed: Int64) -> Bool {
        state.withLock { state in
            var held = state.feeds[feed] ?? []
            let before = held.count
            held.formUnion(keys)
            guard state.keys - before + held.count <= limit else {
                state.overflows += 1
                return false
            }
            state.keys += held.count - before
            state.feeds[feed] = held
            return true
        }
    }

    /// The feed's entries are stored: forget them.
    public func confirm(_ feed: Int64) {
        state.withLock { state in
            if let held = state.feeds.removeValue(forKey: feed) { state.keys -= held.count }
        }
    }

    /// Feeds and keys held, feeds that did not fit since the start, and an estimate of the bytes
    /// held (a `Set<UInt64>` costs about 16 bytes a key at its load factor, a feed ~100 more).
    public var usage: (feeds: Int, keys: Int, overflows: Int, bytes: Int) {
        state.withLock { ($0.feeds.count, $0.keys, $0.overflows, $0.keys * 16 + $0.feeds.count * 100) }
    }
}
