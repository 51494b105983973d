import Foundation

/// Builds a ``Feed`` from the SAX events of an RSS, RDF or Atom document.
///
/// Which element wins when several compete follows feedparser, the reference parser: the
/// shallowest title (the first of equals), the last alternate link, the guid as link only when
/// there is no link, `xml:base` scoped to the element that carries it.
///
/// Events come from ``LibXML2SAXParser``; set ``wantsToStop`` to end the parse early and
/// ``wantsRawNames`` to receive the written names of unknown elements and attributes.
struct XMLFeedBuilder {
    private(set) var format: FeedFormat?
    /// The root element's name when it was not a feed root.
    private(set) var foreignRoot: String?
    private(set) var feedTitle: String?
    private var feedTitleDepth = Int.max
    private(set) var feedLink: String?
    private(set) var timeToLive: Int?
    /// The entries, in document order once the document has ended (see ``endDocument()``).
    private(set) var entries: [Entry] = []
    private(set) var warnings: [String] = []
    /// Over ``ParserLimits/maxEntries``, which entries are kept.
    private var cap: EntryCap

    let limits: ParserLimits
    private var depth = 0
    private var entry: EntryDraft?
    private var captures: [TextCapture] = [] {
        didSet { text.setMode(captures.last.map { $0.isMarkup ? .escape : .keep } ?? .ignore) }
    }
    private var text: TextBuffer
    /// While inside an element whose content is not ours (image, textinput, source), its depth.
    private var skippedDepth: Int?
    private var bases: [(depth: Int, uri: String)] = []

    // Raw names until the root is seen, so a foreign root can be named in the error.
    private(set) var wantsRawNames = true
    private(set) var wantsToStop = false
    /// True once the root element has ended: damage after it loses nothing.
    private(set) var rootClosed = false

    /// `documentBytes`: the size of the document, to size the text store once.
    init(documentURL: String?, limits: ParserLimits, documentBytes: Int = 0, textStore: TextStoreSizing = TextStoreSizing()) {
        self.limits = limits
        cap = EntryCap(limit: limits.maxEntries)
        text = TextBuffer(capacity: textStore.capacity ?? max(documentBytes, 4096), ceiling: textStore.ceiling)
        if let documentURL, !documentURL.isEmpty { bases.append((0, documentURL)) }
    }

    private var base: String? { bases.last?.uri }

    // MARK: - Events

    mutating func startElement(_ name: XMLElementName, attributes: XMLAttributes) {
        depth += 1
        if let top = captures.last, top.keepsChildMarkup {
            keepAsMarkup(name, attributes: attributes)
            return
        }
        if !attributes.isEmpty, let xmlBase = attributes.value(.base, in: .xml) ?? attributes.value(.base) {
            bases.append((depth, URLResolver.resolve(xmlBase, against: base)))
        }
        guard skippedDepth == nil else { return }
        // Inside a plain-text capture (an id, a date, an author) only an author's name and
        // e-mail mean something; anything else is not opened, so captures never nest oddly.
        if let top = captures.last, !(top.kind == .author && (name.local == .name || name.local == .email)) {
            return
        }
        if depth == 1 {
            recogniseRoot(name, attributes: attributes)
            return
        }
        let core = name.namespace.isCore
        if core && (name.local == .item || name.local == .entry) {
            guard entry == nil else {
                skippedDepth = depth
                return
            }
            startEntry()
            if let about = attributes.value(.about, in: .rdf) { current.id = about }
            return
        }
        if core && name.local.isForeignBlock {
            skippedDepth = depth
            return
        }
        if format == .rss10 && name.namespace == .rss090 { format = .rss090 }
        if entry != nil {
            startEntryElement(name, attributes: attributes, core: core)
        } else {
            startFeedElement(name, attributes: attributes, core: core)
        }
        wantsRawNames = captures.last?.keepsChildMarkup ?? false
    }

    mutating func endElement(_ name: XMLElementName) {
        defer {
            depth -= 1
            if depth == 0 { rootClosed = true }
        }
        if let top = captures.last {
            if top.depth == depth {
                captures.removeLast()
                finish(top)
                text.truncate(to: top.start)
                wantsRawNames = captures.last?.keepsChildMarkup ?? false
            } else if top.keepsChildMarkup {
                if top.skippedWrapperDepth == depth {
                    captures[captures.count - 1].skippedWrapperDepth = nil
                } else {
                    text.appendEndTag(name.qualifiedName ?? name.local.rawValue)
                }
                return
            }
        }
        if bases.last?.depth == depth { bases.removeLast() }
        if skippedDepth == depth {
            skippedDepth = nil
            return
        }
        if entry?.depth == depth, let draft = entry.take() {
            draft.complete(&current)
            // A dropped entry's summary and content stay in the text store (bounded by the
            // document's size).
            cap.completed(&entries)
        }
    }

    /// Where libxml2's text goes (see ``TextBuffer``).
    var textStorage: TextStorage { text.storage }

    // MARK: - Roots

    private mutating func recogniseRoot(_ name: XMLElementName, attributes: XMLAttributes) {
        wantsRawNames = false
        switch (name.local, name.namespace) {
        case (.rss, .none):
            format = FeedVocabulary.rssFormat(version: attributes.value(.version))
        case (.channel, .none):
            format = .rss
        case (.RDF, .rdf):
            format = .rss10
        case (.feed, .atom10):
            format = .atom10
        case (.feed, .atom03):
            format = .atom03
        case (.feed, .none):
            format = attributes.value(.version) == "0.3" ? .atom03 : .atom10
        default:
            foreignRoot = name.qualifiedName ?? (name.local == .other ? "an unknown element" : name.local.rawValue)
            wantsToStop = true
        }
    }

    // MARK: - Elements

    private mutating func startEntryElement(_ name: XMLElementName, attributes: XMLAttributes, core: Bool) {
        let ns = name.namespace
        switch name.local {
        case .title where core || ns == .dc:
            beginTextCapture(.title, attributes: attributes)
        case .title where ns == .media:
            beginCapture(TextCapture(kind: .mediaTitle, depth: depth))
        case .link where core:
            if let href = FeedVocabulary.href(attributes) {
                linkElement(href: href, attributes: attributes)
            } else if FeedVocabulary.isAlternateHTMLLink(attributes) {
                beginCapture(TextCapture(kind: .link, depth: depth))
            }
        case .guid where core:
            let permalink = (attributes.value(.isPermaLink) ?? "true") == "true"
            beginCapture(TextCapture(kind: .id, depth: depth, isMarkup: false, isHTML: permalink))
        case .id where core:
            beginCapture(TextCapture(kind: .id, depth: depth, isMarkup: false, isHTML: true))
        case .description where core || ns == .dc, .summary where core || ns == .itunes:
            let kind: TextCapture.Kind = current.summaryText == nil ? .summary : .content
            beginTextCapture(kind, attributes: attributes, defaultHTML: name.local == .description)
        case .content where core:
            beginTextCapture(.content, attributes: attributes)
        case .encoded where ns == .content:
            beginCapture(TextCapture(kind: .content, depth: depth, isHTML: true))
        case .body where ns == .xhtml:
            beginCapture(TextCapture(kind: .content, depth: depth, isMarkup: true))
        case .pubDate where core, .published where core, .issued where core || ns == .dcterms:
            beginCapture(TextCapture(kind: .published, depth: depth))
        case .updated where core, .modified where core || ns == .dcterms, .date where ns == .dc:
            beginCapture(TextCapture(kind: .updated, depth: depth))
        case .author where core || ns == .dc || ns == .itunes, .creator where ns == .dc:
            entry?.personName = nil
            entry?.personEmail = nil
            beginCapture(TextCapture(kind: .author, depth: depth))
        case .name where captures.last?.kind == .author:
            beginCapture(TextCapture(kind: .personName, depth: depth))
        case .email where captures.last?.kind == .author:
            beginCapture(TextCapture(kind: .personEmail, depth: depth))
        case .category where core, .subject where ns == .dc:
            if let term = attributes.value(.term) ?? attributes.value(.label), !term.isEmpty {
                current.categories.append(term)
            } else {
                beginCapture(TextCapture(kind: .category, depth: depth))
            }
        case .enclosure where core:
            if let url = FeedVocabulary.href(attributes) {
                let enclosure = FeedVocabulary.makeEnclosure(url: URLResolver.resolve(url, against: base), attributes: attributes)
                current.enclosures.append(enclosure)
            }
        default:
            break
        }
    }

    private mutating func startFeedElement(_ name: XMLElementName, attributes: XMLAttributes, core: Bool) {
        switch name.local {
        case .title where (core || name.namespace == .dc) && depth < feedTitleDepth:
            beginTextCapture(.feedTitle, attributes: attributes)
        case .link where core:
            if let href = FeedVocabulary.href(attributes) {
                linkElement(href: href, attributes: attributes)
            } else if FeedVocabulary.isAlternateHTMLLink(attributes) {
                beginCapture(TextCapture(kind: .feedLink, depth: depth))
            }
        case .ttl where name.namespace == .none:
            beginCapture(TextCapture(kind: .ttl, depth: depth))
        default:
            break
        }
    }

    /// An Atom-style `<link href>`: the alternate HTML link becomes the link; an enclosure is
    /// kept as one.
    private mutating func linkElement(href: String, attributes: XMLAttributes) {
        let rel = attributes.value(.rel) ?? "alternate"
        let resolved = URLResolver.resolve(href, against: base)
        if FeedVocabulary.isAlternateHTMLLink(attributes) {
            if entry != nil { EntryDraft.setLink(written: href, resolved: resolved, on: &current) } else { feedLink = resolved }
        } else if rel == "enclosure", entry != nil {
            let enclosure = FeedVocabulary.makeEnclosure(url: resolved, attributes: attributes)
            current.enclosures.append(enclosure)
        }
    }

    /// A text construct: Atom's `type` (and 0.3's `mode`) says whether it is text, HTML or XHTML.
    private mutating func beginTextCapture(_ kind: TextCapture.Kind, attributes: XMLAttributes, defaultHTML: Bool = false) {
        let written = attributes.value(.type)?.lowercased()
        let type = written?.isEmpty == true ? nil : written
        var capture: TextCapture
        if FeedVocabulary.isBase64(type: type, mode: attributes.value(.mode)) {
            capture = TextCapture(kind: kind, depth: depth, isHTML: type.map(FeedVocabulary.isHTMLType) ?? defaultHTML)
            capture.isBase64 = true
            beginCapture(capture)
            return
        }
        switch type {
        case "xhtml", "application/xhtml+xml":
            capture = TextCapture(kind: kind, depth: depth, isMarkup: true)
            capture.skippedWrapperDepth = -1  // the first child <div> is a wrapper
        case "html", "text/html":
            capture = TextCapture(kind: kind, depth: depth, isHTML: true)
        case "text", "text/plain":
            capture = TextCapture(kind: kind, depth: depth)
        default:
            capture = TextCapture(kind: kind, depth: depth, isHTML: defaultHTML)
        }
        beginCapture(capture)
    }

    private mutating func beginCapture(_ capture: TextCapture) {
        var capture = capture
        capture.start = text.count
        captures.append(capture)
    }

    private mutating func keepAsMarkup(_ name: XMLElementName, attributes: XMLAttributes) {
        let top = captures[captures.count - 1]
        if top.skippedWrapperDepth == -1 && name.local == .div && depth == top.depth + 1 {
            captures[captures.count - 1].skippedWrapperDepth = depth
            return
        }
        if top.skippedWrapperDepth == -1 { captures[captures.count - 1].skippedWrapperDepth = nil }
        if !top.isMarkup {
            text.escapeText(from: top.start)
            captures[captures.count - 1].isMarkup = true
            captures[captures.count - 1].isHTML = true
            text.setMode(.escape)
        }
        text.appendStartTag(name.qualifiedName ?? name.local.rawValue, attributes: attributes)
    }

    // MARK: - Finishing

    /// A capture ended: inside an entry its text goes to the entry (``EntryDraft``), else to
    /// the feed.
    private mutating func finish(_ capture: TextCapture) {
        let base = base
        if entry != nil {
            entry!.finish(capture, text: text, base: base, limits: limits, into: &entries[entries.count - 1], warnings: &warnings)
            return
        }
        guard let text = text.string(of: capture) else { return }
        switch capture.kind {
        case .feedTitle where capture.depth < feedTitleDepth:
            feedTitle = capture.isHTML ? HTMLText.plainText(text) : text
            feedTitleDepth = capture.depth
        case .feedLink:
            feedLink = URLResolver.resolve(text, against: base)
        case .ttl:
            timeToLive = Int(text)
        default:
            break
        }
    }

    /// Adds a warning about the document as a whole (how it was read).
    mutating func warn(_ warning: String) {
        warnings.append(warning)
    }

    /// The document has ended: an entry it left open (a truncated document) is dropped, since
    /// with part of its elements its key could differ from the complete entry's next time.
    /// Over the entry limit, the kept entries are put back in document order.
    mutating func endDocument() {
        if entry.take() != nil { entries.removeLast() }
        if let warning = cap.finish(&entries) { warnings.append(warning) }
        if text.storage.failed { warnings.append("out of memory while collecting text: some text is missing") }
    }

    /// Opens a new entry (the last of `entries`).
    private mutating func startEntry() {
        // Room for a typical feed's entries at once: growing one by one moves them all, often.
        if entries.isEmpty { entries.reserveCapacity(min(limits.maxEntries, 32)) }
        entries.append(Entry())
        entry = EntryDraft(depth: depth)
    }

    /// The entry being built: the last of `entries`, read and changed in place (a `get` would
    /// copy the whole entry, retaining and releasing its dozen fields, to read one).
    private var current: Entry {
        _read { yield entries[entries.count - 1] }
        _modify { yield &entries[entries.count - 1] }
    }
}
