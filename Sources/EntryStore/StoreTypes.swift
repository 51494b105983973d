import Foundation

/// An entry of the current document, as the store keeps it: its key and its date.
public struct DocumentEntry: Sendable, Hashable {
    public var key: UInt64
    /// The entry's date; nil when it has none (then it is scored by the time first seen).
    public var date: Date?

    public init(key: UInt64, date: Date?) {
        self.key = key
        self.date = date
    }
}

/// What the store knows of a feed's past.
public enum FeedHistory: Sendable, Equatable {
    /// The feed has a set of seen entries.
    case known
    /// No set, on a shard not known to have lost data: a feed polled for the first time, or
    /// one whose set was lost before this process started (the daemon's journal tells).
    case new
    /// No set, on a shard this process saw lose its data (flushed, replaced, restarted
    /// without persistence). A feed that had its first poll lost its set: send its entries; a
    /// feed that never had one is new.
    case afterDataLoss
    /// The shard could not be asked (down, paused, timed out, or the feed is in no range).
    case unknown
}

/// The answer to ``EntryStore/diff(feed:keys:)``.
public struct DiffResult: Sendable, Equatable {
    /// The keys not seen before, in the order asked. Every key when the history is unknown
    /// (fail open: risk a duplicate, never lose an entry).
    public var unseen: [UInt64]
    public var history: FeedHistory
    /// The feed's set as the diff read it, in ascending score order; nil when it could not be
    /// read. ``EntryStore/mark(feed:document:after:now:)`` works out its writes from it.
    public var storedKeys: [UInt64]?

    public init(unseen: [UInt64], history: FeedHistory, storedKeys: [UInt64]? = nil) {
        self.unseen = unseen
        self.history = history
        self.storedKeys = storedKeys
    }
}

/// A feed's own state, kept in `f:{feed}` so that a restart keeps conditional GETs.
public struct FeedState: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?
    /// XXH3-64 of the last body, to skip parsing an unchanged one.
    public var bodyHash: UInt64?
    public var lastPoll: Date?
    /// Consecutive failed polls.
    public var errorCount: Int
    /// A permanent redirect's target, and on how many consecutive polls it was seen.
    public var redirectURL: String?
    public var redirectCount: Int
    /// The URL polled instead of the listed one, after a permanent redirect held on enough
    /// consecutive polls; `adoptedFrom` is the listed URL it replaced (a list that names
    /// another URL since then drops it).
    public var adoptedURL: String?
    public var adoptedFrom: String?
    /// The largest document the feed served recently (see ``RetentionPeak``).
    public var peak: RetentionPeak?

    public init(
        etag: String? = nil, lastModified: String? = nil, bodyHash: UInt64? = nil, lastPoll: Date? = nil,
        errorCount: Int = 0, redirectURL: String? = nil, redirectCount: Int = 0, adoptedURL: String? = nil,
        adoptedFrom: String? = nil, peak: RetentionPeak? = nil
    ) {
        self.peak = peak
        self.adoptedURL = adoptedURL
        self.adoptedFrom = adoptedFrom
        self.etag = etag
        self.lastModified = lastModified
        self.bodyHash = bodyHash
        self.lastPoll = lastPoll
        self.errorCount = errorCount
        self.redirectURL = redirectURL
        self.redirectCount = redirectCount
    }
}

/// The largest number of entries a feed's documents held recently: a high-water mark that
/// decays slowly (it halves every `halfLife`, one week by default) unless a document as large
/// comes again. The retention bound follows it rather than the latest document, so a feed that
/// serves 200 items, then 5, then 200 again keeps the 200 between (trimming to the 5-item
/// document's bound would forget 150 entries the next document shows again, and send them).
public struct RetentionPeak: Sendable, Equatable {
    /// The entry count when the mark was last raised.
    public var entries: Int
    /// When it was last raised.
    public var at: Date

    public static let halfLife: TimeInterval = 7 * 86_400

    public init(entries: Int, at: Date) {
        self.entries = entries
        self.at = at
    }

    /// The mark at `now`, decayed since it was raised.
    public func value(at now: Date) -> Int {
        let age = max(0, now.timeIntervalSince(at))
        return Int((Double(entries) * Foundation.pow(0.5, age / Self.halfLife)).rounded(.up))
    }

    /// The mark after a document of `count` entries at `now`: raised to `count` when that is at
    /// least the decayed mark, otherwise unchanged (it keeps decaying from when it was raised).
    public static func after(_ previous: RetentionPeak?, documentEntries count: Int, now: Date) -> RetentionPeak {
        guard let previous, previous.value(at: now) > count else { return RetentionPeak(entries: count, at: now) }
        return previous
    }
}
