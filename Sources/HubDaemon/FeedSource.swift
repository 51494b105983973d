import FeedMemory
import Foundation
import Scheduler
import ShardRouter

/// Where the daemon's feeds come from, at start and at every SIGHUP: the feeds file, with the
/// changes made at run time laid over it (`FeedListOverlay` says which wins).
struct FeedSource: Sendable {
    let path: String
    let changes: FeedChangeJournal
    /// The feed IDs this daemon polls (`--feed-ids`); nil: all.
    let owned: FeedIDRanges?

    /// Reads the file, lays the run-time changes over it, forgets those that no longer hold
    /// (durably, before anything else), and keeps a copy of the file as loaded. Blocks (a
    /// million lines take a second or two): call it through `BlockingWork`.
    func load() throws(FeedList.Problem) -> FeedListOverlay {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FeedList.Problem(description: "\(path): cannot be read: check the path (--feeds FILE) and its permissions")
        }
        let bytes = [UInt8](data)
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
        let file = try FeedList.parse(bytes, name: path)
        let pending = changes.changes
        let copy: [UInt8]?
        do { copy = try changes.loadedFeedsFile() } catch { throw FeedList.Problem(description: "\(error)") }
        var previous: [ScheduledFeed]?
        if let copy, !pending.isEmpty {
            // Parsed before, so it parses; only the lines of changed feeds are needed.
            previous = try? FeedList.parse(copy, name: "feeds.loaded", only: Set(pending.keys))
        }
        var overlay = FeedListOverlay(
            file: file, previous: previous, fileModified: Int64((modified.timeIntervalSince1970 * 1000).rounded(.down)), changes: pending)
        if let owned {
            overlay.refused = overlay.feeds.lazy.map(\.id).filter { !owned.contains($0) }
            if !overlay.refused.isEmpty { overlay.feeds.removeAll { !owned.contains($0.id) } }
        }
        do {
            try changes.forget((overlay.fileWon + overlay.redundant).compactMap { pending[$0] })
            if copy != bytes { try changes.saveLoadedFeedsFile(bytes) }
        } catch {
            throw FeedList.Problem(description: "\(error)")
        }
        return overlay
    }
}
