/// A feed added, changed or removed at run time (the control endpoint's `PUT`/`DELETE
/// /feeds/{id}`), as the feed-change journal records it.
public struct FeedChange: Sendable, Equatable {
    /// What was done to the feed.
    public enum Action: Sendable, Equatable {
        /// Added or changed: poll `url`, every `intervalSeconds` when pinned (nil: adaptive).
        case put(url: String, intervalSeconds: Int?)
        /// No longer polled.
        case remove
    }

    /// The feed's ID.
    public var feed: Int64
    /// What was done to it.
    public var action: Action
    /// When the change was made: milliseconds of the wall clock since 1970.
    public var madeAt: Int64

    /// A change of `feed` made at `madeAt` (milliseconds since 1970).
    public init(feed: Int64, action: Action, madeAt: Int64) {
        self.feed = feed
        self.action = action
        self.madeAt = madeAt
    }

    // MARK: - One line of the journal

    /// `P MILLISECONDS FEED URL INTERVAL|-` or `R MILLISECONDS FEED`, with its newline. URLs
    /// hold no spaces or control characters (the control endpoint refuses those).
    var line: String {
        switch action {
        case .put(let url, let interval): "P \(madeAt) \(feed) \(url) \(interval.map(String.init) ?? "-")\n"
        case .remove: "R \(madeAt) \(feed)\n"
        }
    }

    /// A line of the journal (without its newline); nil when it is not one.
    init?(line: Substring) {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count >= 3, let madeAt = Int64(words[1]), let feed = Int64(words[2]) else { return nil }
        switch (words[0], words.count) {
        case ("P", 5):
            let interval: Int?
            if words[4] == "-" {
                interval = nil
            } else if let seconds = Int(words[4]) {
                interval = seconds
            } else {
                return nil
            }
            self.init(feed: feed, action: .put(url: String(words[3]), intervalSeconds: interval), madeAt: madeAt)
        case ("R", 3):
            self.init(feed: feed, action: .remove, madeAt: madeAt)
        default:
            return nil
        }
    }
}
