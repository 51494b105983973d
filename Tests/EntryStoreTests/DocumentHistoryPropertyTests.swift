import EntryStore
import Foundation
import ShardRouter
import Testing
import TestSupport

/// The promise the store exists for: an entry still in a feed's document is never reported
/// unseen a second time, whatever the dates (out of order, repeated, very old, missing) and
/// however the document changes, trimming included.
@Suite("EntryStore document histories", .serialized, .ownThread)
struct DocumentHistoryPropertyTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// One feed's life: documents that each hold a window of its entries, with old entries
    /// coming back, repeated dates, undated entries and dates from 1970.
    static func history(seed: UInt64) -> [[DocumentEntry]] {
        var random = Generator(state: seed)
        var dates: [UInt64: Date?] = [:]
        func entry(_ index: Int) -> DocumentEntry {
            let key = seed << 20 | UInt64(index)
            if dates[key] == nil {
                switch random.below(6) {
                case 0: dates[key] = .some(nil)  // undated
                case 1: dates[key] = Date(timeIntervalSince1970: Double(random.below(1000)))  // 1970
                case 2: dates[key] = Date(timeIntervalSince1970: 1_700_000_000)  // one shared date
                default: dates[key] = Date(timeIntervalSince1970: 1_700_000_000 + Double(random.below(10_000_000)))
                }
            }
            return DocumentEntry(key: key, date: dates[key]!)
        }
        var newest = random.below(10) + 1
        var documents: [[DocumentEntry]] = []
        for _ in 0..<8 {
            newest += random.below(6)  // new entries appear
            let size = random.below(15) + 1
            var indices = Array(max(0, newest - size)..<newest)
            if random.below(3) == 0 { indices.append(random.below(newest)) }  // an old one comes back
            if random.below(4) == 0 { indices.shuffle(using: &random) }
            documents.append(indices.map(entry))
        }
        return documents
    }

    @Test("1,000 random histories: no entry still in the document is reported unseen twice")
    func noRepeatsWhileInDocument() async throws {
        let server = try RedisServerProcess()
        let store = EntryStore(
            map: try ShardMap(parsing: "0-9223372036854775807 \(server.url)\n"),
            options: EntryStoreOptions(retentionMultiple: 2, minimumRetention: 10))
        let violations = await withTaskGroup(of: [String].self) { group in
            for batch in stride(from: 0, to: 1000, by: 50) {
                group.addTask {
                    var found: [String] = []
                    for feed in batch..<(batch + 50) {
                        found += await Self.replay(Self.history(seed: UInt64(feed + 1)), feed: Int64(feed), store: store)
                    }
                    return found
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        #expect(store.skippedOperations.values.allSatisfy { $0 == 0 })
    }

    /// Polls each document in turn (diff, then mark); returns the keys reported again while
    /// they stayed in every document since they were first reported.
    static func replay(_ documents: [[DocumentEntry]], feed: Int64, store: EntryStore) async -> [String] {
        var reportedAndStillPresent: Set<UInt64> = []
        var violations: [String] = []
        for (poll, document) in documents.enumerated() {
            let keys = document.map(\.key)
            let present = Set(keys)
            reportedAndStillPresent.formIntersection(present)
            let result = await store.diff(feed: feed, keys: keys)
            for key in result.unseen where reportedAndStillPresent.contains(key) {
                violations.append("feed \(feed) poll \(poll): key \(key) reported again")
            }
            reportedAndStillPresent.formUnion(result.unseen)
            reportedAndStillPresent.formUnion(keys)  // everything in the document is now seen
            await store.mark(feed: feed, document: document, after: result)
        }
        return violations
    }
}
