import Foundation
import Testing

@testable import EntryStore

/// The writes of one mark, worked out without Redis (see ``RetentionPlan``).
@Suite("Retention plan")
struct RetentionPlanTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func document(_ keys: [UInt64], date: Date? = Date(timeIntervalSince1970: 1_700_000_000)) -> [DocumentEntry] {
        keys.map { DocumentEntry(key: $0, date: date) }
    }

    @Test("only keys the set lacks are added, each once")
    func additionsOnly() {
        let plan = RetentionPlan(stored: [1, 2, 3], document: Self.document([3, 4, 4, 5]), bound: 50, now: Self.now)
        #expect(plan.additions.map(\.key) == [4, 5])
        #expect(plan.removals.isEmpty)
    }

    @Test("the excess is removed from the lowest scores, skipping keys the document holds")
    func removalsSkipDocumentKeys() {
        // Stored in ascending score order: 10 (lowest) … 15. The document still holds 10 and 12.
        let plan = RetentionPlan(stored: [10, 11, 12, 13, 14, 15], document: Self.document([10, 12, 20, 21]), bound: 6, now: Self.now)
        #expect(plan.additions.map(\.key) == [20, 21])
        #expect(plan.removals == [11, 13])
    }

    @Test("a document that holds the whole set's low end leaves the set above the bound, never evicting it")
    func pinnedOldEntries() {
        let plan = RetentionPlan(stored: [1, 2, 3], document: Self.document([1, 2, 3, 4]), bound: 2, now: Self.now)
        #expect(plan.removals.isEmpty)
        #expect(plan.additions.map(\.key) == [4])
    }

    @Test("scores: the date in whole seconds, clamped to now; now when undated")
    func scores() {
        let seconds = Int64(Self.now.timeIntervalSince1970)
        #expect(RetentionPlan.score(of: Date(timeIntervalSince1970: 1_700_000_000.9), now: seconds) == 1_700_000_000)
        #expect(RetentionPlan.score(of: Date(timeIntervalSince1970: -10.5), now: seconds) == -11)
        #expect(RetentionPlan.score(of: Date(timeIntervalSince1970: 4_000_000_000), now: seconds) == seconds)
        #expect(RetentionPlan.score(of: nil, now: seconds) == seconds)
        #expect(RetentionPlan.score(of: Date.distantPast.addingTimeInterval(-1e30), now: seconds) == seconds)
    }
}

/// What a process concludes from the shard marker it reads (see ``ShardMarker``).
@Suite("Shard marker")
struct ShardMarkerTests {
    @Test("reads that race the first write of the marker write it once and flag no loss")
    func racingReads() throws {
        var marker = ShardMarker()
        let first = marker.observe(id: nil, lostAt: nil)
        guard case .create(let id, lost: false) = first else {
            Issue.record("expected a create without loss, got \(first)")
            return
        }
        #expect(marker.observe(id: nil, lostAt: nil) == .none)
        #expect(marker.observe(id: nil, lostAt: nil) == .none)
        marker.written(id: id, succeeded: true)
        #expect(!marker.lostData)
        #expect(marker.observe(id: id, lostAt: nil) == .none)
        // After the marker was written and seen, a missing marker is a loss.
        guard case .create(_, lost: true) = marker.observe(id: nil, lostAt: nil) else {
            Issue.record("a marker that disappeared must be recreated with lost_at")
            return
        }
        #expect(marker.lostData)
    }

    @Test("a failed write is retried by the next read that finds no marker, without a loss")
    func failedWrite() {
        var marker = ShardMarker()
        guard case .create(let id, _) = marker.observe(id: nil, lostAt: nil) else {
            Issue.record("expected a create")
            return
        }
        marker.written(id: id, succeeded: false)
        guard case .create(_, lost: false) = marker.observe(id: nil, lostAt: nil) else {
            Issue.record("expected a second create without loss")
            return
        }
        #expect(!marker.lostData)
    }

    @Test("a marker that says lost_at flags the shard")
    func lostAtRead() {
        var marker = ShardMarker()
        #expect(marker.observe(id: "abc", lostAt: 1_800_000_000) == .none)
        #expect(marker.lostData)
    }
}

@Suite("RetentionPeak")
struct RetentionPeakTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a larger document raises the mark; a smaller one keeps it; it halves over a week")
    func decay() {
        var peak = RetentionPeak.after(nil, documentEntries: 200, now: start)
        #expect(peak == RetentionPeak(entries: 200, at: start))
        // Flipping every 15 minutes for a day: the mark stays at 200.
        for poll in 1...96 {
            let now = start.addingTimeInterval(Double(poll) * 900)
            peak = RetentionPeak.after(peak, documentEntries: poll % 2 == 0 ? 200 : 5, now: now)
            #expect(peak.value(at: now) == 200)
        }
        let quiet = RetentionPeak.after(peak, documentEntries: 5, now: start.addingTimeInterval(96 * 900 + 7 * 86_400))
        #expect(quiet.value(at: start.addingTimeInterval(96 * 900 + 7 * 86_400)) == 100)
        let month = start.addingTimeInterval(60 * 86_400)
        #expect(RetentionPeak.after(quiet, documentEntries: 5, now: month) == RetentionPeak(entries: 5, at: month))
    }

    @Test("the feed state keeps the mark in f:{feed}")
    func stateRoundTrip() {
        let state = FeedState(etag: "e", peak: RetentionPeak(entries: 200, at: start))
        #expect(FeedState(fields: state.fields) == state)
    }
}
