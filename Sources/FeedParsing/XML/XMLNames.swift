/// The namespaces the feed builder tells apart. Everything else is `.other`.
enum XMLNamespace: UInt8, Sendable {
    case none, atom10, atom03, rss10, rss090, rdf, dc, dcterms, content, xhtml, media, itunes, xml,
        feedburner, other

    /// The namespace a URI names; matching is case-insensitive and forgives a missing or
    /// extra trailing slash, as feedparser does.
    init(uri: String) {
        var key = uri.lowercased()
        while key.hasSuffix("/") { key.removeLast() }
        self = Self.byURI[key] ?? .other
    }

    /// The namespace a conventional prefix stands for, for documents that use a prefix
    /// without declaring it (common: `dc:`, `content:`).
    init(undeclaredPrefix prefix: String) {
        self = Self.byPrefix[prefix.lowercased()] ?? .other
    }

    private static let byURI: [String: XMLNamespace] = [
        "http://www.w3.org/2005/atom": .atom10,
        "http://purl.org/atom/ns#": .atom03,
        "http://purl.org/rss/1.0": .rss10,
        "http://my.netscape.com/rdf/simple/0.9": .rss090,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#": .rdf,
        "http://purl.org/dc/elements/1.1": .dc,
        "http://purl.org/dc/elements/1.0": .dc,
        "http://purl.org/dc/terms": .dcterms,
        "http://purl.org/rss/1.0/modules/content": .content,
        "http://www.w3.org/1999/xhtml": .xhtml,
        "http://search.yahoo.com/mrss": .media,
        "http://www.itunes.com/dtds/podcast-1.0.dtd": .itunes,
        "http://www.w3.org/xml/1998/namespace": .xml,
        "http://rssnamespace.org/feedburner/ext/1.0": .feedburner,
        // RSS 2.0 documents that put their elements in a namespace of their own.
        "http://backend.userland.com/rss2": .none,
        "http://blogs.law.harvard.edu/tech/rss": .none,
        "http://backend.userland.com/rss": .none,
    ]

    /// The known namespace URIs as documents usually write them (case, trailing slash), so
    /// that a parser can recognise them without reading them: each reads as `init(uri:)` says.
    static let usualSpellings: [String] = [
        "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", "http://purl.org/rss/1.0/",
        "http://my.netscape.com/rdf/simple/0.9/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/", "http://purl.org/rss/1.0/modules/content/",
        "http://www.w3.org/1999/xhtml", "http://search.yahoo.com/mrss/", "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "http://www.w3.org/XML/1998/namespace", "http://rssnamespace.org/feedburner/ext/1.0",
    ]

    private static let byPrefix: [String: XMLNamespace] = [
        "atom": .atom10, "rdf": .rdf, "dc": .dc, "dcterms": .dcterms, "content": .content,
        "xhtml": .xhtml, "media": .media, "itunes": .itunes, "xml": .xml, "feedburner": .feedburner,
    ]
}

/// The element and attribute local names the feed builder reacts to. Everything else is
/// `.other`. Raw values are the names as written in documents.
enum LocalName: String, CaseIterable, Sendable {
    case other = ""
    // roots and containers
    case rss, channel, item, feed, entry, RDF, items, image, textinput, textInput, source
    // text and links
    case title, link, guid, id, description, summary, content, encoded, subtitle, tagline, body
    case div, comments, origLink
    // dates
    case pubDate, published, updated, modified, issued, created, date, lastBuildDate
    // people and classification
    case author, creator, contributor, name, email, category, subject, enclosure, ttl
    // attributes
    case href, rel, type, version, about, isPermaLink, base, url, length, term, label, src, mode
    case resource, lang
}

/// An element's name as the builder sees it.
struct XMLElementName: Sendable {
    var namespace: XMLNamespace
    var local: LocalName
    /// The name as written (`prefix:local`), given only while the handler asks for raw names.
    var qualifiedName: String?
}

/// One attribute of a start tag. Only attributes with a known local name are reported,
/// unless the handler asks for raw names.
struct XMLAttribute {
    var namespace: XMLNamespace
    var local: LocalName
    /// The value's UTF-8 bytes, in the parser's memory: valid only while the start-tag event
    /// that reports them runs (``XMLAttributes``).
    var valueBytes: UnsafeBufferPointer<UInt8>
    /// The name as written, given only while the handler asks for raw names.
    var qualifiedName: String?
}

/// The attributes of one start tag, as the parser reports them: a view that allocates nothing
/// per element, and makes a `String` only of the values that are asked for. Valid only during
/// the start-tag event (the values live in the parser's buffers); nothing keeps it after.
struct XMLAttributes: RandomAccessCollection {
    private let attributes: UnsafeBufferPointer<XMLAttribute>

    init(_ attributes: UnsafeBufferPointer<XMLAttribute>) { self.attributes = attributes }

    var startIndex: Int { 0 }
    var endIndex: Int { attributes.count }
    subscript(position: Int) -> XMLAttribute { attributes[position] }

    /// The value of the first attribute with this local name (in no namespace unless given).
    func value(_ name: LocalName, in namespace: XMLNamespace = .none) -> String? {
        bytes(name, in: namespace).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value's bytes, without decoding them (see ``XMLAttribute/valueBytes``).
    func bytes(_ name: LocalName, in namespace: XMLNamespace = .none) -> UnsafeBufferPointer<UInt8>? {
        for attribute in attributes where attribute.local == name && attribute.namespace == namespace {
            return attribute.valueBytes
        }
        return nil
    }
}
