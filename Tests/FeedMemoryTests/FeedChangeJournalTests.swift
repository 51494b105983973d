import FeedMemory
import Foundation
import Testing

@Suite("FeedChangeJournal")
struct FeedChangeJournalTests {
    static func put(_ feed: Int64, _ url: String, interval: Int? = nil, at time: Int64 = 1) -> FeedChange {
        FeedChange(feed: feed, action: .put(url: url, intervalSeconds: interval), madeAt: time)
    }

    @Test("changes answered durable survive reopening, the newest per feed; a torn last line is dropped")
    func survivesReopen() async throws {
        let directory = FirstPollJournalTests.directory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try FeedChangeJournal(directory: directory)
            let answers = [
                journal.append(Self.put(1, "https://a.example/1", interval: 60, at: 10)),
                journal.append(Self.put(2, "https://a.example/2", at: 11)),
                journal.append(FeedChange(feed: 1, action: .remove, madeAt: 12)),
                journal.append(Self.put(3, "https://a.example/3?x=1&y=2", at: 13)),
            ]
            for answer in answers { #expect(await answer.value()) }
        }
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/feed-changes"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("P 14 4 https://a.exa".utf8))  // a crash mid-line
        try handle.close()
        let journal = try FeedChangeJournal(directory: directory)
        #expect(journal.changes == [
            1: FeedChange(feed: 1, action: .remove, madeAt: 12),
            2: Self.put(2, "https://a.example/2", at: 11),
            3: Self.put(3, "https://a.example/3?x=1&y=2", at: 13),
        ])
        #expect(await journal.append(Self.put(5, "https://a.example/5", at: 15)).value())
        let reopened = try FeedChangeJournal(directory: directory)
        #expect(reopened.count == 4)
    }

    @Test("the file is folded when it holds many more lines than changes; forgetting rewrites it")
    func folds() async throws {
        let directory = FirstPollJournalTests.directory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try FeedChangeJournal(directory: directory)
        var last = true
        for round in 0..<25_000 {
            let answer = journal.append(Self.put(Int64(round % 3), "https://a.example/\(round)", at: Int64(round)))
            if round % 1_000 == 999 { last = await answer.value() && last }
        }
        journal.flush()
        #expect(last)
        let lines = try String(contentsOfFile: directory + "/feed-changes", encoding: .utf8).split(separator: "\n").count
        #expect(lines < 10_005, "\(lines) lines for 3 changes")
        let newest = Self.put(2, "https://a.example/24998", at: 24_998)
        #expect(try FeedChangeJournal(directory: directory).changes[2] == newest)

        // Forgetting an outdated change leaves a newer one of the same feed alone.
        try journal.forget([Self.put(2, "https://a.example/older", at: 1), Self.put(0, "https://a.example/24999", at: 24_999)])
        #expect(journal.changes.keys.sorted() == [1, 2])
        let text = try String(contentsOfFile: directory + "/feed-changes", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3, "a header and two changes: \(text)")
    }

    @Test("the feeds file as last loaded is kept beside it; a damaged line (a write never acknowledged) is skipped")
    func loadedCopyAndDamage() throws {
        let directory = FirstPollJournalTests.directory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try FeedChangeJournal(directory: directory)
        #expect(try journal.loadedFeedsFile() == nil)
        try journal.saveLoadedFeedsFile(Array("1 https://a.example/1\n".utf8))
        #expect(try journal.loadedFeedsFile() == Array("1 https://a.example/1\n".utf8))

        try "# hubdiffer feed changes 1\nP 1 2 https://a.example/2 -\n\0\0\0nonsense\nR 3 2\n".write(
            toFile: directory + "/feed-changes", atomically: true, encoding: .utf8)
        #expect(try FeedChangeJournal(directory: directory).changes == [2: FeedChange(feed: 2, action: .remove, madeAt: 3)])
        #expect {
            try FeedChangeJournal(directory: directory + "/missing/deeper")
        } throws: { error in
            "\(error)".contains("cannot be opened") && "\(error)".contains("--state-dir")
        }
    }
}
