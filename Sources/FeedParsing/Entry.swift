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
/// unchanged majority never pays for decoding or copying it: the entries of one document
/// share the parser's text store.
public struct EntryText: Sendable, Hashable {
    private let storage: TextStorage
    private let range: Range<Int>

    public init(_ string: String) {
        let storage = TextStorage(capacity: max(string.utf8.count, 1))
        var string = string
        string.withUTF8 { storage.append($0) }
        storage.keepAll()
        self.init(storage: storage, range: 0..<storage.count)
    }

    /// Bytes `range` of a store the parser has finished writing (valid UTF-8).
    init(storage: TextStorage, range: Range<Int>) {
        self.storage = storage
        self.range = range
    }

    /// The text as a `String`.
    public var string: String { storage.string(range) }

    /// The length in UTF-8 bytes.
    public var utf8Count: Int { range.count }

    /// Whether `other` is these very bytes (one text given as two fields, as a summary that
    /// falls back to the content), not just equal ones: a check of identity, in constant time.
    public func isSameStorage(as other: EntryText) -> Bool {
        storage === other.storage && range == other.range
    }

    /// Calls `body` with the UTF-8 bytes, without copying them.
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        storage.withBytes(range, body)
    }

    public static func == (lhs: EntryText, rhs: EntryText) -> Bool {
        lhs.range.count == rhs.range.count && lhs.storage.bytes(lhs.range) == rhs.storage.bytes(rhs.range)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.bytes(range))
    }
}

/// One entry (item) of a feed.
public struct Entry: Sendable, Hashable {
    /// The identifier as written: Atom `<id>`, RSS `<guid>`, RSS 1.0 `rdf:about`, JSON `id`.
    public var id: String?
    /// The alternate link, resolved against `xml:base` and the document URL.
    public var link: String?
    /// The id as the document wrote it, when resolving it against the document's URL changed
    /// it (a relative permalink guid). Identities use it, so keys do not depend on the URL the
    /// feed was fetched from.
    public var idAsWritten: String?
    /// The link as the document wrote it, when resolving it changed it (see ``idAsWritten``).
    public var linkAsWritten: String?
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
    /// Whether rule 2 of ``EntryIdentity`` applied: the document gave another entry the same id
    /// (or link…) with a different link, so the link is part of the identity.
    public var identitySharesID = false
    /// The normalised identity string the key was computed from (built when asked for).
    public var identity: String { EntryIdentity.identity(of: self) }

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
    }

    /// The entry's own date: published, else updated.
    public var date: Date? { published ?? updated }
}

extension Array where Element == Entry {
    /// Calls `body` with each entry where it is, in order. A copy of each (as `for entry in`
    /// makes) would retain and release its dozen fields; hot loops over entries use this.
    public func forEachInPlace(_ body: (UnsafePointer<Entry>) throws -> Void) rethrows {
        try withUnsafeBufferPointer { buffer in
            guard let first = buffer.baseAddress else { return }
            for index in 0..<buffer.count { try body(first + index) }
        }
    }
}
