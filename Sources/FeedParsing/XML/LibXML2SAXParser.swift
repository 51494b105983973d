import CXML2
import Foundation
import Synchronization

/// The only Swift file that touches libxml2 pointers: a SAX2 parse over bytes in memory that
/// reports Swift values to an ``XMLFeedBuilder``.
///
/// Safety settings, on every parse: no network (`XML_PARSE_NONET`), an external entity loader
/// that loads nothing (set once per process), external entities reported as undefined, and
/// libxml2's own bound on entity amplification (no `XML_PARSE_HUGE`), and its nesting bound
/// enforced here (its push parser does not check it).
/// HTML named entities that XML does not define (`&nbsp;`, `&eacute;`) expand to their characters.
///
/// The state of one parse lives in a `SAXSession` that libxml2 hands back to every callback
/// through the text sink that `ctxt->_private` points to (`hd_text_sink_attach`); it is
/// reached through a pointer, so the hot path pays for no reference counting and no dynamic
/// exclusivity checks. Text events never reach Swift: the shim appends them to the builder's
/// ``TextStorage`` in C, and reads the text of kept elements itself, ahead of libxml2
/// (`hd_xml_take_text`, docs/DESIGN-NOTES.md).
enum LibXML2SAXParser {
    private static let initialised: Bool = {
        hd_xml_global_init()
        return true
    }()

    /// Whether kept text is read in the shim ahead of libxml2 (`hd_xml_take_text`): only with
    /// the libxml2 it was checked against, 2.9.14 (`hd_xml_reads_ahead`).
    static let readsKeptTextAhead = hd_xml_reads_ahead() != 0

    /// Parses `bytes` into `builder`. `encoding` nil means the bytes are UTF-8 and the
    /// document's own encoding declaration is ignored; otherwise libxml2 decodes from `encoding`.
    ///
    /// `stopAtForbiddenCharacter`: when the first error is a character XML forbids, met
    /// before the root element ends, the parse stops at the next start tag
    /// (``XMLParseReport/stoppedAtForbiddenCharacter``): the caller is going to parse the
    /// document again without those characters, so the rest of this pass would be wasted.
    static func parse(
        _ bytes: [UInt8], encoding: String?, into builder: inout XMLFeedBuilder, stopAtForbiddenCharacter: Bool = false
    ) -> XMLParseReport {
        _ = initialised
        var sax = makeHandler()
        let options = hd_xml_parse_options(encoding == nil ? 1 : 0)
        let session = UnsafeMutablePointer<SAXSession>.allocate(capacity: 1)
        session.initialize(
            to: SAXSession(
                builder: builder, localNames: KnownNames.shared.localNames, usualNamespaces: KnownNames.shared.namespaces,
                documentBytes: bytes.count, timeBudget: builder.limits.timeBudget,
                stopsAtForbiddenCharacter: stopAtForbiddenCharacter))
        defer {
            session.deinitialize(count: 1)
            session.deallocate()
        }
        let sink = builder.textStorage.sink
        sink.pointee.reads_ahead = readsKeptTextAhead ? 1 : 0
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let names = KnownNames.shared.dictionary else {
                    check(Int32(HD_XML_NO_MEMORY), session)
                    return
                }
                var status: Int32 = 0
                let ctxt = hd_xml_ctxt_new(&sax, options, encoding, names, &status)
                guard check(status, creating: encoding, session), let ctxt else { return }
                defer { hd_xml_ctxt_free(ctxt) }
                hd_text_sink_attach(sink, ctxt, UnsafeMutableRawPointer(session))
                let parsed = hd_xml_ctxt_parse(ctxt, chars.baseAddress, Int32(clamping: chars.count))
                hd_text_sink_attach(sink, nil, nil)
                session.pointee.builder.endDocument()
                check(parsed, session, parsed: ctxt)  // the parse is over: nothing more to decide
            }
        }
        builder = session.pointee.builder
        return session.pointee.report
    }

    /// The one place the libxml2 shim's statuses (`HD_XML_…`) are read: records what `status`
    /// means for the parse in `session`, and says whether the parse can go on.
    ///
    /// - `HD_XML_ENCODING_REFUSED` (making a context for `encoding`): libxml2 did not take the
    ///   encoding (no decoder, or the first bytes would not decode); the parse goes on as
    ///   libxml2 can, and the feed says so in a warning.
    /// - `HD_XML_NOT_WELL_FORMED` (after the parse of `parsed`): libxml2 returns it for a
    ///   document it recovered and for a parse stopped on purpose (the builder had enough, a
    ///   limit was hit), so its own flag says which.
    /// - Anything else (no memory, options refused) refuses the document: nothing was parsed.
    @discardableResult
    private static func check(
        _ status: Int32, creating encoding: String? = nil, _ session: UnsafeMutablePointer<SAXSession>,
        parsed ctxt: xmlParserCtxtPtr? = nil
    ) -> Bool {
        switch Int(status) {
        case HD_XML_OK:
            return true
        case HD_XML_ENCODING_REFUSED:
            session.pointee.builder.warn("libxml2 could not decode the document as \(encoding ?? "asked"); read as libxml2 could")
            if ctxt != nil { session.pointee.report.wellFormed = false }  // the parse stopped at those bytes
            return true
        case HD_XML_NOT_WELL_FORMED:
            if let ctxt, hd_xml_ctxt_well_formed(ctxt) == 0 { session.pointee.report.wellFormed = false }
            return true
        case HD_XML_OPTIONS_REFUSED:
            session.pointee.report.refusal = .malformed(line: 0, message: "libxml2 refused the parser options")
            return false
        default:  // HD_XML_NO_MEMORY
            session.pointee.report.refusal = .malformed(line: 0, message: "libxml2 could not create a parser")
            return false
        }
    }

    /// The code point of an HTML 4 named entity (`nbsp` → 160), from libxml2's table.
    static func htmlEntityCodePoint(_ name: String) -> UInt32? {
        let value = name.withCString { hd_html_entity_codepoint(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
        return value == 0 ? nil : value
    }

    /// The version of libxml2 in use, for `hubdiffer version`.
    static var libraryVersion: String { String(cString: hd_xml_version()) }

    // MARK: - The C handler table

    private static func session(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<SAXSession>? {
        guard let ctx, let session = hd_xml_ctxt_session(ctx) else { return nil }
        return session.assumingMemoryBound(to: SAXSession.self)
    }

    private static func makeHandler() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        // libxml2's own SAX2 helpers keep the internal subset (declared entities) in a document
        // that never gets element nodes.
        sax.internalSubset = xmlSAX2InternalSubset
        sax.entityDecl = xmlSAX2EntityDecl
        sax.startDocument = xmlSAX2StartDocument
        sax.getEntity = { ctx, name in
            guard let ctx, let name else { return nil }
            if let entity = hd_xml_document_entity(ctx, name) {
                // libxml2 2.9 bounds nested expansion (billion laughs) but not one large entity
                // referenced many times: count the bytes the document's own entities expand to.
                if entity.pointee.etype == XML_INTERNAL_GENERAL_ENTITY, let session = LibXML2SAXParser.session(ctx),
                    !session.pointee.countExpansion(Int(entity.pointee.length))
                {
                    session.pointee.report.refusal = .entityExpansionLimit(line: Int(hd_xml_ctxt_line(ctx)))
                    hd_xml_ctxt_stop(ctx)
                    return nil
                }
                return entity
            }
            guard let html = HTMLEntityCache.shared.entity(named: name) else { return nil }
            // libxml2 2.9 copies only the first byte of such an entity into an attribute value;
            // the parser then reads the document again with numeric references (FeedParser).
            if html.pointee.length > 1, let session = LibXML2SAXParser.session(ctx) {
                session.pointee.report.usedMultibyteHTMLEntity = true
            }
            return html
        }
        sax.startElementNs = { ctx, local, prefix, uri, _, _, attributeCount, _, attributes in
            guard let local, let ctx, let session = LibXML2SAXParser.session(ctx) else { return }
            guard session.pointee.enter(line: Int(hd_xml_ctxt_line(ctx))) else {
                hd_xml_ctxt_stop(ctx)
                return
            }
            // A stop asked for by the error handler waits for this callback: libxml2 may not
            // be stopped from inside its error handler (it goes on reading the input after it).
            if session.pointee.report.stoppedAtForbiddenCharacter {
                hd_xml_ctxt_stop(ctx)
                return
            }
            session.pointee.startElement(local, prefix, uri, attributeCount, attributes)
            if session.pointee.builder.wantsToStop || !session.pointee.withinBudget() {
                hd_xml_ctxt_stop(ctx)
                return
            }
            hd_xml_take_text(ctx)  // kept text up to the next '<', read in C ahead of libxml2
        }
        sax.endElementNs = { ctx, local, prefix, uri in
            guard let local, let session = LibXML2SAXParser.session(ctx) else { return }
            session.pointee.endElement(local, prefix, uri)
        }
        sax.characters = hd_xml_characters
        sax.cdataBlock = hd_xml_cdata
        sax.ignorableWhitespace = hd_xml_characters
        sax.serror = { ctx, error in
            guard let error, let session = LibXML2SAXParser.session(ctx) else { return }
            let kind: SAXSession.ErrorKind =
                switch error.pointee.code {
                case Int32(XML_ERR_INVALID_CHAR.rawValue): .forbiddenCharacter
                case Int32(XML_ERR_ENTITY_LOOP.rawValue): .entityLoop
                default: .other
                }
            session.pointee.error(line: Int(error.pointee.line), kind: kind) { LibXML2SAXParser.message(error) }
        }
        return sax
    }

    /// libxml2's message, first line only (some add an excerpt of the document on the next).
    private static func message(_ error: UnsafePointer<xmlError>) -> String {
        guard let text = error.pointee.message else { return "error \(error.pointee.code)" }
        var message = String(String(cString: text).prefix { $0 != "\n" && $0 != "\r" })
        while let last = message.last, last.isWhitespace { message.removeLast() }
        return message
    }
}

/// Entities for HTML 4 names, made once per name and kept for the life of the process.
///
/// The dictionary is only touched under the mutex, and each entity is immutable after creation:
/// libxml2 only reads the content of a predefined-type entity, so parses on several threads
/// may share them.
private final class HTMLEntityCache: Sendable {
    static let shared = HTMLEntityCache()
    private let entities = Mutex<[String: UnsafeMutableRawPointer]>([:])

    func entity(named cName: UnsafePointer<xmlChar>) -> xmlEntityPtr? {
        let name = String(cString: cName)
        let pointer: UnsafeMutableRawPointer? = entities.withLock { table in
            if let cached = table[name] { return cached }
            let codePoint = hd_html_entity_codepoint(cName)
            guard codePoint != 0, let scalar = Unicode.Scalar(codePoint) else { return nil }
            // NULL: out of memory; the name then stays undefined, which libxml2 reports as an error.
            guard let entity = hd_xml_new_text_entity(name, String(Character(scalar))) else { return nil }
            table[name] = UnsafeMutableRawPointer(entity)
            return UnsafeMutableRawPointer(entity)
        }
        return pointer?.assumingMemoryBound(to: xmlEntity.self)
    }
}

/// The known local names (``LocalName``), interned once per process in a libxml2 dictionary
/// that every parser's own dictionary is a child of (`hd_xml_ctxt_use_shared_dict`): SAX2
/// reports a known name as the same address in every parse, so a parse recognises it by
/// address without interning anything itself.
///
/// `@unchecked Sendable`: the dictionary is written only in `init` (run once, under the
/// `static let`'s one-time initialisation) and only read afterwards, by libxml2 through the
/// child dictionaries, which never write to their parent (its reference count is changed
/// under libxml2's dictionary mutex); the table is an immutable value. It lives as long as
/// the process.
private final class KnownNames: @unchecked Sendable {
    static let shared = KnownNames()
    /// Nil when libxml2 ran out of memory making it: every parse is then refused.
    let dictionary: xmlDictPtr?
    let localNames: InternedNameTable<LocalName>
    /// The feed namespaces as documents usually spell them (``XMLNamespace/usualSpellings``).
    let namespaces: InternedNameTable<XMLNamespace>

    private init() {
        (dictionary, localNames, namespaces) = Self.make()
    }

    /// The dictionary and what was interned in it; no dictionary when memory ran out part way.
    private static func make() -> (xmlDictPtr?, InternedNameTable<LocalName>, InternedNameTable<XMLNamespace>) {
        var localNames = InternedNameTable<LocalName>()
        var namespaces = InternedNameTable<XMLNamespace>()
        guard let dictionary = hd_xml_shared_dict_new() else { return (nil, localNames, namespaces) }
        func intern(_ name: String) -> UnsafeRawPointer? {
            hd_xml_dict_intern(dictionary, name).map { UnsafeRawPointer($0) }
        }
        for name in LocalName.allCases where name != .other {
            guard let pointer = intern(name.rawValue) else { break }
            localNames.insert(name, for: pointer)
        }
        for uri in XMLNamespace.usualSpellings {
            guard let pointer = intern(uri) else { break }
            namespaces.insert(XMLNamespace(uri: uri), for: pointer)
        }
        guard localNames.count == LocalName.allCases.count - 1, namespaces.count == XMLNamespace.usualSpellings.count else {
            xmlDictFree(dictionary)
            return (nil, localNames, namespaces)
        }
        return (dictionary, localNames, namespaces)
    }
}
