import FeedMemory
import Foundation
import Testing

@Suite("FirstPollJournal")
struct FirstPollJournalTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hubdiffer-journal-\(UUID().uuidString)").path
    }

    @Test("feeds inserted survive reopening; a torn last record is dropped")
    func survivesReopen() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try FirstPollJournal(directory: directory)
            #expect(journal.count == 0)
            for feed in [1, 42, 1 << 40, 42] as [Int64] { journal.insert(feed) }
            #expect(journal.count == 3)
            journal.flush()
        }
        // Released; its lock goes once its last delayed sync (a block on its queue that holds it
        // for the moment it runs) is done.
        #expect(await waitUntil { Self.isUnlocked(directory + "/first-polls") })
        // A crash in the middle of a record: three bytes of a fourth id.
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/first-polls"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1, 2, 3]))
        try handle.close()

        let reopened = try FirstPollJournal(directory: directory)
        #expect(reopened.count == 3)
        #expect(reopened.contains(42) && reopened.contains(1 << 40) && reopened.contains(1))
        #expect(!reopened.contains(7))
        reopened.insert(7)
        reopened.flush()
        let size = try FileManager.default.attributesOfItem(atPath: directory + "/first-polls")[.size] as? Int
        #expect(size == 8 + 4 * 8)
    }

    /// Whether no one holds the `flock` of the file at `path` (taken and let go at once).
    static func isUnlocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }

    @Test("a second daemon on the same directory is refused with a reason")
    func locked() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try FirstPollJournal(directory: directory)
        #expect(throws: FirstPollJournal.Failure.self) { _ = try FirstPollJournal(directory: directory) }
        do {
            _ = try FirstPollJournal(directory: directory)
        } catch {
            #expect(error.description.contains("another hubdiffer run uses it"))
        }
        _ = first
    }

    @Test("a file that is not a journal is refused, not overwritten")
    func foreignFile() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "hello".write(toFile: directory + "/first-polls", atomically: true, encoding: .utf8)
        #expect(throws: FirstPollJournal.Failure.self) { _ = try FirstPollJournal(directory: directory) }
        #expect(try String(contentsOfFile: directory + "/first-polls", encoding: .utf8) == "hello")
    }
}
