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
        guard bytes.count <= options.limits.maxDocumentBytes else {
            throw .documentTooLarge(bytes: bytes.count, limit: options.limits.maxDocumentBytes)
        }
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
        var prepared = DocumentRepair.normaliseEncoding(bytes, httpCharset: options.httpCharset, verifyUTF8: false)
        var attempt = try parseOnce(prepared.bytes, encoding: prepared.encoding, options: options)
        if !attempt.report.wellFormed && !attempt.report.damageOnlyAfterRoot && prepared.utf8Unverified {
            // Damaged: check the UTF-8 this time, and parse again if bytes had to be repaired.
            let verified = DocumentRepair.normaliseEncoding(bytes, httpCharset: options.httpCharset)
            if verified.bytes != prepared.bytes {
                attempt = try parseOnce(verified.bytes, encoding: verified.encoding, options: options)
            }
            prepared = verified
        }
        var notes = prepared.notes
        if !attempt.report.wellFormed && !attempt.report.damageOnlyAfterRoot {
            let repaired = DocumentRepair.repairMarkup(prepared.bytes)
            if !repaired.notes.isEmpty, let second = try? parseOnce(repaired.bytes, encoding: prepared.encoding, options: options) {
                let better = second.builder.format != nil
                    && (second.report.wellFormed || second.builder.entries.count >= attempt.builder.entries.count)
                // A repaired document that shows a foreign root (a damaged HTML page) says best what it is.
                if better || (attempt.builder.format == nil && second.builder.foreignRoot != nil) {
                    notes += repaired.notes
                    attempt = second
                }
            }
        }
        if !attempt.report.wellFormed {
            notes.append("recovered from damage: \(attempt.report.firstError ?? "not well-formed")")
        }
        let builder = attempt.builder
        guard let format = builder.format else {
            if let root = builder.foreignRoot { throw .notAFeed("the root element is <\(root)>, not rss, rdf:RDF or feed") }
            throw .malformed(line: 1, message: attempt.report.firstError ?? "no root element")
        }
        return Feed(
            format: format, title: builder.feedTitle, link: builder.feedLink, timeToLiveMinutes: builder.timeToLive,
            entries: builder.entries, warnings: notes + builder.warnings)
    }

    private static func parseOnce(
        _ bytes: [UInt8], encoding: String?, options: ParserOptions
    ) throws(FeedParsingError) -> (builder: XMLFeedBuilder, report: XMLParseReport) {
        var builder = XMLFeedBuilder(documentURL: options.documentURL, limits: options.limits, documentBytes: bytes.count)
        let report = LibXML2SAXParser.parse(bytes, encoding: encoding, into: &builder)
        if let refusal = report.refusal { throw refusal }
        return (builder, report)
    }
}
