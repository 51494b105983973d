import FeedMemory
import Scheduler
import Testing

@testable import HubDaemon

/// Which wins between the feeds file and the changes made at run time: the newest word.
@Suite("Feeds file and run-time changes")
struct FeedListOverlayTests {
    static func line(_ id: Int64, _ name: String, _ seconds: Int? = nil) -> ScheduledFeed {
        ScheduledFeed(id: id, url: "https://f.example/\(name)", interval: seconds.map { .seconds($0) })
    }

    static func put(_ id: Int64, _ name: String, at time: Int64) -> FeedChange {
        FeedChange(feed: id, action: .put(url: "https://f.example/\(name)", intervalSeconds: nil), madeAt: time)
    }

    @Test("changes hold over lines the file did not change; an edit saved after a change wins over it")
    func newestWins() {
        let previous = [Self.line(1, "one"), Self.line(2, "two"), Self.line(3, "three")]
        let file = [Self.line(1, "one"), Self.line(2, "two-edited"), Self.line(3, "three-edited"), Self.line(4, "four")]
        let changes: [Int64: FeedChange] = [
            1: FeedChange(feed: 1, action: .remove, madeAt: 100),
            2: Self.put(2, "two-api", at: 100),  // the file's edit (at 200) is newer: the file wins
            3: Self.put(3, "three-api", at: 300),  // newer than the edit: the change holds
            9: Self.put(9, "nine", at: 100),  // a feed the file never had
        ]
        let overlay = FeedListOverlay(file: file, previous: previous, fileModified: 200, changes: changes)
        #expect(overlay.feeds == [Self.line(2, "two-edited"), Self.line(3, "three-api"), Self.line(4, "four"), Self.line(9, "nine")])
        #expect(overlay.fileWon == [2])
        #expect(overlay.redundant.isEmpty)
        #expect(overlay.applied == 3)
    }

    @Test("without a copy of the file as loaded (a first start), every change holds; changes that say what the file says are dropped")
    func firstStartAndRedundant() {
        let file = [Self.line(1, "one"), Self.line(2, "two")]
        let changes: [Int64: FeedChange] = [
            1: Self.put(1, "one", at: 100),  // the file's own line
            2: Self.put(2, "two-api", at: 100),
            5: FeedChange(feed: 5, action: .remove, madeAt: 100),  // a feed the file lacks
        ]
        let overlay = FeedListOverlay(file: file, previous: nil, fileModified: 500, changes: changes)
        #expect(overlay.feeds == [Self.line(1, "one"), Self.line(2, "two-api")])
        #expect(overlay.redundant == [1, 5])
        #expect(overlay.fileWon.isEmpty)
    }

    @Test("a line removed from the file after an API change removes the feed; no changes: the file as it is")
    func removedByFile() {
        let previous = [Self.line(1, "one")]
        let overlay = FeedListOverlay(file: [], previous: previous, fileModified: 200, changes: [1: Self.put(1, "one-api", at: 100)])
        #expect(overlay.feeds.isEmpty)
        #expect(overlay.fileWon == [1])
        let plain = FeedListOverlay(file: previous, previous: nil, fileModified: 0, changes: [:])
        #expect(plain.feeds == previous)
    }
}
