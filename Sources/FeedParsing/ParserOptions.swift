/// Bounds that keep a hostile document from costing unbounded time or memory.
public struct ParserLimits: Sendable, Hashable {
    /// Larger documents are refused before parsing (default 32 MiB).
    public var maxDocumentBytes: Int
    /// A document with more entries keeps only this many, the newest by date, in document order,
    /// with a warning (default 10,000). Undated entries rank below dated ones and ties go to the
    /// earlier entry, so an undated document keeps its first entries (see ``NewestEntries``).
    public var maxEntries: Int
    /// An id longer than this many bytes is treated as missing, with a warning (default 2,048).
    public var maxIdentifierBytes: Int
    /// A document with an element of more attributes is refused (default 1,000; see
    /// ``AttributeCensus``: libxml2 2.9 checks them pairwise).
    public var maxAttributesPerElement: Int
    /// A document with more attributes in all is refused (default 1,000,000).
    public var maxAttributes: Int
    /// An XML parse that runs longer is abandoned (checked between elements); nil: no budget
    /// (default: none — the daemon sets one).
    public var timeBudget: Duration?

    public init(
        maxDocumentBytes: Int = 32 << 20, maxEntries: Int = 10_000, maxIdentifierBytes: Int = 2_048,
        maxAttributesPerElement: Int = 1_000, maxAttributes: Int = 1_000_000, timeBudget: Duration? = nil
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxEntries = maxEntries
        self.maxIdentifierBytes = maxIdentifierBytes
        self.maxAttributesPerElement = maxAttributesPerElement
        self.maxAttributes = maxAttributes
        self.timeBudget = timeBudget
    }
}

/// What the caller knows about a document besides its bytes.
public struct ParserOptions: Sendable, Hashable {
    /// The document's own URL: the base for relative links.
    public var documentURL: String?
    /// The charset from the HTTP `Content-Type`, when fetched over HTTP.
    public var httpCharset: String?
    /// Size and count bounds.
    public var limits: ParserLimits
    /// How the parse's text store is sized: left as it is but by tests of its growth.
    var textStore = TextStoreSizing()

    public init(documentURL: String? = nil, httpCharset: String? = nil, limits: ParserLimits = ParserLimits()) {
        self.documentURL = documentURL
        self.httpCharset = httpCharset
        self.limits = limits
    }
}

/// How a parse's text store (``TextStorage``) is sized: a seam for the tests of its growth and
/// of its failure, which a store sized to the document never meets.
struct TextStoreSizing: Sendable, Hashable {
    /// Room reserved up front; nil: the document's size (at least 4 KiB).
    var capacity: Int?
    /// The most bytes the store may hold: growing past it fails as when memory runs out. 0: no bound.
    var ceiling = 0
}
