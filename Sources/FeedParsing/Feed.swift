import Foundation

/// The syndication format a document was recognised as, detected from its content.
///
/// Raw values follow the names Python's feedparser reports (`rss20`, `atom10`, …) so output
/// can be compared with it directly.
public enum FeedFormat: String, Sendable, Hashable, CaseIterable {
    case rss090 = "rss090"
    case rss091 = "rss091"
    case rss092 = "rss092"
    case rss093 = "rss093"
    case rss094 = "rss094"
    case rss20 = "rss20"
    /// An `<rss>` root whose version attribute is missing or unknown.
    case rss = "rss"
    case rss10 = "rss10"
    case atom03 = "atom03"
    case atom10 = "atom10"
    case jsonFeed10 = "json10"
    case jsonFeed11 = "json11"
}

/// A parsed feed document: its own title and link and its entries in document order.
public struct Feed: Sendable, Hashable {
    /// The format the document was recognised as.
    public var format: FeedFormat
    /// The feed's title as text, entities decoded.
    public var title: String?
    /// The feed's alternate (home page) link, absolute where a base was known.
    public var link: String?
    /// RSS `<ttl>` in minutes, when given: a hint for the poll interval.
    public var timeToLiveMinutes: Int?
    /// The entries, in document order, each with its dedup ``Entry/key``.
    public var entries: [Entry]
    /// Damage that was recovered from and limits that cut the document short, one line each.
    /// Empty for a clean document.
    public var warnings: [String]

    public init(
        format: FeedFormat, title: String? = nil, link: String? = nil,
        timeToLiveMinutes: Int? = nil, entries: [Entry] = [], warnings: [String] = []
    ) {
        self.format = format
        self.title = title
        self.link = link
        self.timeToLiveMinutes = timeToLiveMinutes
        self.entries = entries
        self.warnings = warnings
    }

    /// Whether the parser had to recover from damage or hit a limit.
    public var wasRecovered: Bool { !warnings.isEmpty }
}
