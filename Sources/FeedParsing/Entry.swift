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

/// Long entry text (summary, content) kept as the UTF-8 bytes the parser collected; it becomes
/// a `String` only when read. A poll reads it only for the entries that are new, so the
/// unchanged majority never pays for decoding it.
public struct EntryText: Sendable, Hashable {
    /// The text as UTF-8 bytes (always valid UTF-8).
    public let utf8: ArraySlice<UInt8>

    public init(_ string: String) { utf8 = ArraySlice(string.utf8) }

    /// Bytes that are known to be valid UTF-8 (libxml2 has validated them).
    init(validUTF8 bytes: ArraySlice<UInt8>) { utf8 = bytes }

    /// The text as a `String`.
    public var string: String { utf8.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } }
}

/// One entry (item) of a feed.
public struct Entry: Sendable, Hashable {
    /// The identifier as written: Atom `<id>`, RSS `<guid>`, RSS 1.0 `rdf:about`, JSON `id`.
    public var id: String?
    /// The alternate link, resolved against `xml:base` and the document URL.
    public var link: String?
    /// The title as text, entities decoded.
    public var title: String?
    /// The summary or description (may hold HTML), as stored.
    public var summaryText: EntryText?
    /// The full content (may hold HTML), as stored.
    public var contentText: EntryText?
    /// The summary or description (may hold HTML).
    public var summary: String? {
        get { summaryText?.string }
        set { summaryText = newValue.map(EntryText.init) }
    }
    /// The full content (may hold HTML).
    public var content: String? {
        get { contentText?.string }
        set { contentText = newValue.map(EntryText.init) }
    }
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
        self.summaryText = summary.map(EntryText.init)
        self.contentText = content.map(EntryText.init)
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
