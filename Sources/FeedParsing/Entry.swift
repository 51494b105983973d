import Foundation

/// A media file attached to an entry (RSS `<enclosure>`, Atom `rel="enclosure"`, JSON Feed
/// attachments).
public struct Enclosure: Sendable, Hashable {
    /// The file's URL, absolute where a base was known.
    public var url: String
    /// Its MIME type, when given.
    public var type: String?
    /// Its size in bytes, when given.
    public var length: Int64?

    public init(url: String, type: String? = nil, length: Int64? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// One entry (item) of a feed.
public struct Entry: Sendable, Hashable {
    /// The identifier as written: Atom `<id>`, RSS `<guid>`, RSS 1.0 `rdf:about`, JSON `id`.
    public var id: String?
    /// The alternate link, resolved against `xml:base` and the document URL.
    public var link: String?
    /// The title as text, entities decoded.
    public var title: String?
    /// The summary or description (may hold HTML).
    public var summary: String?
    /// The full content (may hold HTML).
    public var content: String?
    /// Author names (or e-mail addresses when no name is given).
    public var authors: [String]
    /// Category terms or labels.
    public var categories: [String]
    /// Attached media.
    public var enclosures: [Enclosure]
    /// When the entry was first published.
    public var published: Date?
    /// When the entry was last updated.
    public var updated: Date?
    /// The dedup key: XXH3-64 of ``identity``. See ``EntryIdentity`` for the rule.
    public var key: UInt64
    /// The normalised identity string the key was computed from.
    public var identity: String

    public init(
        id: String? = nil, link: String? = nil, title: String? = nil, summary: String? = nil,
        content: String? = nil, authors: [String] = [], categories: [String] = [],
        enclosures: [Enclosure] = [], published: Date? = nil, updated: Date? = nil
    ) {
        self.id = id
        self.link = link
        self.title = title
        self.summary = summary
        self.content = content
        self.authors = authors
        self.categories = categories
        self.enclosures = enclosures
        self.published = published
        self.updated = updated
        self.key = 0
        self.identity = ""
    }

    /// The entry's own date: published, else updated.
    public var date: Date? { published ?? updated }
}
