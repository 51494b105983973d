import Foundation

/// Turns the bytes of a feed document into a ``Feed``: RSS 0.90–2.0, RSS 1.0 (RDF), Atom 0.3
/// and 1.0, JSON Feed 1.0 and 1.1, recognised from the content alone. Streaming (libxml2 SAX2),
/// no I/O of its own, safe on hostile input.
///
/// ```swift
/// let feed = try FeedParser.parse(bytes, options: ParserOptions(documentURL: "https://example.com/feed"))
/// for entry in feed.entries { print(EntryIdentity.hex(entry.key), entry.title ?? "") }
/// ```
public enum FeedParser {
    /// Parses one document. Damage that can be recovered from is recovered from and listed in
    /// ``Feed/warnings``; anything else is a ``FeedParsingError``.
    public static func parse(_ bytes: [UInt8], options: ParserOptions = ParserOptions()) throws(FeedParsingError) -> Feed {
        // libxml2 takes the length as a 32-bit int: no limit goes above it.
        let limit = min(options.limits.maxDocumentBytes, Int(Int32.max))
        guard bytes.count <= limit else { throw .documentTooLarge(bytes: bytes.count, limit: limit) }
        var feed: Feed
        switch sniff(bytes) {
        case .empty:
            throw .empty
        case .json:
            feed = try JSONFeedParser.parse(bytes, options: options)
        case .markup:
            feed = try parseXML(bytes, options: options)
        }
        EntryIdentity.assignKeys(&feed.entries)
        return feed
    }

    /// The memory a parse of `documentBytes` takes beside the document itself, for a budget
    /// to charge while it runs: libxml2's copy of the document, and the text kept from it
    /// (JSON's tree is of the same order). Measured: a 9.4 MB RSS document padded by a comment
    /// raises `hubdiffer parse`'s peak resident memory by 3.05 times its size, 2.05 times
    /// besides the file it read.
    public static func workingBytes(documentBytes: Int) -> Int { 2 * documentBytes }

    private enum Kind { case empty, json, markup }

    /// JSON or markup, from the first byte that is not white space, a BOM or a NUL.
    private static func sniff(_ bytes: [UInt8]) -> Kind {
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x00, 0xEF, 0xBB, 0xBF, 0xFE, 0xFF: continue
            case UInt8(ascii: "{"): return .json
            default: return .markup
            }
        }
        return .empty
    }

    private static func parseXML(_ bytes: [UInt8], options: ParserOptions) throws(FeedParsingError) -> Feed {
        let document = DocumentRepair.normaliseEncoding(bytes, httpCharset: options.httpCharset, verifyUTF8: false)
        try AttributeCensus.check(document.bytes, limits: options.limits)
        // A forbidden character stops this first pass early: the recovery parses again anyway.
        var attempt = try parseOnce(document, options: options, stopAtForbiddenCharacter: true)
        var notes = document.notes
        if attempt.lostContent {
            let firstError = attempt.report.firstError ?? "not well-formed"
            attempt = try recover(bytes, from: document, after: attempt, options: options, notes: &notes)
            notes.append("recovered from damage: \(firstError)")
        } else if !attempt.report.wellFormed {
            notes.append("content after the root element ignored: \(attempt.report.firstError ?? "not well-formed")")
        }
        let builder = attempt.builder
        guard let format = builder.format else {
            if let root = builder.foreignRoot { throw .notAFeed("the root element is <\(root)>, not rss, rdf:RDF or feed") }
            throw .malformed(line: attempt.report.firstErrorLine ?? 1, message: attempt.report.firstErrorMessage ?? "no root element")
        }
        return Feed(
            format: format, title: builder.feedTitle, link: builder.feedLink, timeToLiveMinutes: builder.timeToLive,
            entries: builder.entries, warnings: notes + builder.warnings)
    }

    /// One libxml2 pass and what it found.
    private struct Attempt {
        var builder: XMLFeedBuilder
        var report: XMLParseReport
        /// Damage before the root element ended: libxml2 recovers, but drops what follows the
        /// first error (entity references, the rest of a text), so a repaired parse is worth it.
        var lostContent: Bool { !report.wellFormed && !report.damageOnlyAfterRoot }
    }

    /// The recovery ladder for a document libxml2 found damaged, cheapest step first; each step
    /// runs only while the document is still not well-formed.
    private static func recover(
        _ original: [UInt8], from document: PreparedDocument, after first: Attempt, options: ParserOptions,
        notes: inout [String]
    ) throws(FeedParsingError) -> Attempt {
        var document = document
        var attempt = first
        // 1. Bytes taken as UTF-8 unchecked: check them, and parse again if any were repaired.
        if document.utf8Unverified {
            let verified = DocumentRepair.normaliseEncoding(original, httpCharset: options.httpCharset)
            if verified.bytes != document.bytes { attempt = try parseOnce(verified, options: options) }
            notes += verified.notes.filter { !notes.contains($0) }
            document = verified
        }
        // 2. Characters XML forbids (stray control characters): drop them.
        if attempt.lostContent, attempt.report.firstErrorIsForbiddenCharacter,
            let cleaned = ForbiddenCharacters.removed(from: document.bytes)
        {
            var stripped = document
            stripped.bytes = cleaned.bytes
            let second = try parseOnce(stripped, options: options)
            if second.report.wellFormed {
                notes.append("\(cleaned.count) character(s) that XML forbids removed")
                return second
            }
        }
        // The first pass stopped at the forbidden character and dropping it was not enough:
        // the steps below compare against a whole pass.
        if attempt.report.stoppedAtForbiddenCharacter { attempt = try parseOnce(document, options: options) }
        // 3. Everything else the markup repair knows (stray &, unknown entities, broken tags…).
        if attempt.lostContent {
            let repaired = DocumentRepair.repairMarkup(document.bytes)
            var fixed = document
            fixed.bytes = repaired.bytes
            if !repaired.notes.isEmpty {
                let second = try parseOnce(fixed, options: options)
                let better = second.builder.format != nil
                    && (second.report.wellFormed || second.builder.entries.count >= attempt.builder.entries.count)
                // A repaired document that shows a foreign root (a damaged HTML page) says best what it is.
                if better || (attempt.builder.format == nil && second.builder.foreignRoot != nil) {
                    notes += repaired.notes
                    attempt = second
                }
            }
        }
        return attempt
    }

    /// `stopAtForbiddenCharacter`: see ``LibXML2SAXParser/parse(_:encoding:into:stopAtForbiddenCharacter:)``.
    private static func parseOnce(
        _ document: PreparedDocument, options: ParserOptions, stopAtForbiddenCharacter: Bool = false
    ) throws(FeedParsingError) -> Attempt {
        var builder = XMLFeedBuilder(
            documentURL: options.documentURL, limits: options.limits, documentBytes: document.bytes.count,
            textStore: options.textStore)
        let report = LibXML2SAXParser.parse(
            document.bytes, encoding: document.encoding, into: &builder, stopAtForbiddenCharacter: stopAtForbiddenCharacter)
        if let refusal = report.refusal { throw refusal }
        // HTML entities beyond ASCII are cut to one byte in attribute values: read the
        // document again with them written as numeric references.
        if report.usedMultibyteHTMLEntity, document.encoding == nil,
            let numeric = HTMLEntityReferences.numeric(in: document.bytes)
        {
            var rewritten = document
            rewritten.bytes = numeric
            return try parseOnce(rewritten, options: options, stopAtForbiddenCharacter: stopAtForbiddenCharacter)
        }
        return Attempt(builder: builder, report: report)
    }
}
