import Foundation

/// What one mark writes to a feed's set, worked out from the set as it was read (members in
/// ascending score order) and the current document:
/// - every document key the set lacks is added, scored by its date clamped to now, or by now
///   when it has none; a key already there keeps its score (the time it was first recorded);
/// - when that would take the set past the retention bound, the lowest-scored members the
///   document does not hold are removed, as many as the excess. A key the document still holds
///   is never removed: an evicted key still in the feed would come back as new.
///
/// The set may stay above the bound by the document keys that rank lowest (a feed that keeps
/// a years-old entry pinned); it never grows beyond the bound plus the document's own size.
struct RetentionPlan: Equatable {
    struct Addition: Equatable {
        var key: UInt64
        var score: Int64
    }

    /// Members to remove (`ZREM`), lowest score first.
    var removals: [UInt64] = []
    /// Members to add (`ZADD NX`).
    var additions: [Addition] = []

    var isEmpty: Bool { removals.isEmpty && additions.isEmpty }

    init(stored: [UInt64], document: [DocumentEntry], bound: Int, now: Date) {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let storedKeys = Set(stored)
        var documentKeys = Set<UInt64>(minimumCapacity: document.count)
        for entry in document where documentKeys.insert(entry.key).inserted && !storedKeys.contains(entry.key) {
            additions.append(Addition(key: entry.key, score: Self.score(of: entry.date, now: nowSeconds)))
        }
        var excess = stored.count + additions.count - bound
        for key in stored {
            guard excess > 0 else { break }
            if documentKeys.contains(key) { continue }
            removals.append(key)
            excess -= 1
        }
    }

    /// An entry's score: its date in whole Unix seconds, clamped to now; now when undated.
    static func score(of date: Date?, now: Int64) -> Int64 {
        guard let seconds = date?.timeIntervalSince1970.rounded(.down), seconds < Double(now) else { return now }
        return seconds > -9.2e18 ? Int64(seconds) : now
    }
}
