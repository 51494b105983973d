import Foundation

/// Which entries a document with more than ``ParserLimits/maxEntries`` entries keeps: the newest.
///
/// The rule, so that a feed listing its items oldest first still yields its newest ones:
/// - an entry ranks by its ``Entry/date`` (published, else updated): the newer, the higher;
/// - an entry without a date ranks below every dated one;
/// - between equals (the same date, or both undated) the earlier in the document ranks higher.
///
/// So a document without any dates keeps its first `maxEntries` entries, as feeds normally
/// list their newest first. The kept entries stay in document order (see
/// ``slotsInDocumentOrder()``).
///
/// Entries live in `limit` slots owned by the caller; only their ranks are kept here, in a
/// binary heap with the lowest-ranked entry on top, so a document with any number of entries
/// costs `limit` entries of memory and O(log `limit`) per entry over the limit.
struct NewestEntries {
    /// An entry's place in the ranking.
    private struct Rank {
        /// Seconds since 1970; `-infinity` for an entry without a date.
        var time: Double
        /// The entry's position in the document, from 0.
        var order: Int
        /// Where the caller keeps the entry.
        var slot: Int

        /// Whether this entry ranks below `other`.
        func isBelow(_ other: Rank) -> Bool {
            time < other.time || (time == other.time && order > other.order)
        }
    }

    /// How many entries are kept.
    let limit: Int
    /// The kept entries' ranks, the lowest on top (index 0).
    private var heap: [Rank] = []
    /// Entries offered and not kept (each drop is one entry, whether offered or evicted).
    private(set) var dropped = 0
    /// Whether any entry seen had a date.
    private(set) var sawDate = false

    /// Starts with the document's first entries, already kept in slots `0..<dates.count` in
    /// document order (at most `limit` of them), dated `dates`.
    init(limit: Int, firstDates dates: some Sequence<Date?>) {
        self.limit = max(limit, 0)
        for (index, date) in dates.enumerated() where index < self.limit {
            heap.append(Rank(time: rankTime(date), order: index, slot: index))
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    /// Offers the entry at `order` in the document (after every entry offered or given before);
    /// returns the slot it takes, whose previous entry is dropped, or nil when it is dropped itself.
    mutating func offer(date: Date?, order: Int) -> Int? {
        let rank = Rank(time: rankTime(date), order: order, slot: heap.count)
        if heap.count < limit {
            heap.append(rank)
            siftUp(heap.count - 1)
            return rank.slot
        }
        dropped += 1
        guard let lowest = heap.first, lowest.isBelow(rank) else { return nil }
        heap[0] = Rank(time: rank.time, order: rank.order, slot: lowest.slot)
        siftDown(0)
        return lowest.slot
    }

    /// The slots of the kept entries, in document order.
    func slotsInDocumentOrder() -> [Int] {
        heap.sorted { $0.order < $1.order }.map(\.slot)
    }

    /// The warning for a document that held more entries than ``limit`` (nil when nothing was dropped).
    var warning: String? {
        guard dropped > 0 else { return nil }
        let kept = sawDate ? "kept the newest \(heap.count) by date" : "kept the first \(heap.count) (none is dated)"
        return "the document holds \(heap.count + dropped) entries: \(kept), dropped \(dropped)"
    }

    private mutating func rankTime(_ date: Date?) -> Double {
        guard let date else { return -.infinity }
        sawDate = true
        return date.timeIntervalSince1970
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isBelow(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            var lowest = parent
            let left = 2 * parent + 1
            if left < heap.count && heap[left].isBelow(heap[lowest]) { lowest = left }
            if left + 1 < heap.count && heap[left + 1].isBelow(heap[lowest]) { lowest = left + 1 }
            guard lowest != parent else { return }
            heap.swapAt(parent, lowest)
            parent = lowest
        }
    }
}

/// The entry limit as a document is read: entries are appended as they complete, and past
/// `limit` each new one takes the place of the lowest-ranked kept entry or is dropped (see
/// ``NewestEntries``), so at most `limit + 1` are ever held; at the end the kept ones are put
/// back in document order.
struct EntryCap {
    let limit: Int
    /// Entries completed so far, kept or not: the next one's position in the document.
    private var seen = 0
    /// Once the document holds more than `limit` entries: which to keep.
    private var newest: NewestEntries?

    init(limit: Int) { self.limit = limit }

    /// The entry just completed is the last of `entries`.
    mutating func completed(_ entries: inout [Entry]) {
        let order = seen
        seen += 1
        guard entries.count > limit else { return }
        if newest == nil { newest = NewestEntries(limit: limit, firstDates: entries.dropLast().lazy.map(\.date)) }
        let candidate = entries.removeLast()
        if let slot = newest?.offer(date: candidate.date, order: order) { entries[slot] = candidate }
    }

    /// The document ended: the kept entries in document order, and the warning when some were
    /// dropped.
    mutating func finish(_ entries: inout [Entry]) -> String? {
        guard let newest else { return nil }
        entries = newest.slotsInDocumentOrder().map { entries[$0] }
        self.newest = nil
        return newest.warning
    }
}
