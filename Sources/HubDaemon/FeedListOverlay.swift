import FeedMemory
import Scheduler

/// The feeds the daemon polls: the feeds file with the changes made at run time
/// (`PUT`/`DELETE /feeds/{id}`, kept in the `FeedChangeJournal`) laid over it.
///
/// **The newest word on a feed wins.** A change made through the control endpoint holds over
/// the file's line for that feed, at start and at every SIGHUP, until the file's line for that
/// feed itself changes (added, edited or removed) in an edit saved after the change was made:
/// then the file's line wins and the change is forgotten. "Saved after" is judged by the
/// file's modification time, not the line's: a line edited before a change and loaded only
/// after a later save of the file (with other edits) wins over that change too. The daemon tells which lines changed
/// by comparing the file with the copy of it as last loaded (`feeds.loaded` in the state
/// directory); lines it did not change leave the run-time changes alone, so a SIGHUP from
/// `shards move` or an edit of other lines never undoes them. Changes that say what the file
/// says (a `PUT` of the file's own line, a `DELETE` of a feed the file lacks) are forgotten
/// too: they no longer change anything.
public struct FeedListOverlay: Sendable {
    /// The feeds to poll.
    public var feeds: [ScheduledFeed]
    /// Feeds whose run-time change is forgotten: the file's newer line replaced it.
    public var fileWon: [Int64]
    /// Feeds whose run-time change is forgotten: the file says the same.
    public var redundant: [Int64]
    /// Run-time changes that hold.
    public var applied: Int
    /// Feeds left out because they are outside this daemon's `--feed-ids` (set by `FeedSource`).
    public var refused: [Int64] = []

    /// Lays `changes` over `file` (the file's feeds now). `previous` holds the file's lines
    /// (as last loaded) of the feeds that have a change, nil when there is no copy;
    /// `fileModified` is when the file was last written (milliseconds since 1970).
    public init(file: [ScheduledFeed], previous: [ScheduledFeed]?, fileModified: Int64, changes: [Int64: FeedChange]) {
        var fileWon: [Int64] = []
        var redundant: [Int64] = []
        guard !changes.isEmpty else {
            feeds = file
            self.fileWon = []
            self.redundant = []
            applied = 0
            return
        }
        // The file holds each ID once (`FeedList.parse` refuses a second line).
        var now: [Int64: ScheduledFeed] = [:]
        for feed in file where changes[feed.id] != nil { now[feed.id] = feed }
        let before = previous.map { lines in Dictionary(lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }
        var holding: [Int64: FeedChange] = [:]
        for (id, change) in changes {
            let line = now[id]
            if let before, before[id] != line, fileModified >= change.madeAt {
                fileWon.append(id)
                continue
            }
            switch change.action {
            case .put(let url, let seconds) where line == ScheduledFeed(id: id, url: url, interval: seconds.map { .seconds($0) }):
                redundant.append(id)
            case .remove where line == nil:
                redundant.append(id)
            default:
                holding[id] = change
            }
        }
        var feeds: [ScheduledFeed] = []
        feeds.reserveCapacity(file.count + holding.count)
        for feed in file {
            guard let change = holding[feed.id] else {
                feeds.append(feed)
                continue
            }
            guard case .put(let url, let seconds) = change.action else { continue }  // removed
            feeds.append(ScheduledFeed(id: feed.id, url: url, interval: seconds.map { .seconds($0) }))
        }
        // Added: feeds the file lacks.
        for (id, change) in holding.sorted(by: { $0.key < $1.key }) where now[id] == nil {
            guard case .put(let url, let seconds) = change.action else { continue }
            feeds.append(ScheduledFeed(id: id, url: url, interval: seconds.map { .seconds($0) }))
        }
        self.feeds = feeds
        self.fileWon = fileWon.sorted()
        self.redundant = redundant.sorted()
        applied = holding.count
    }
}
