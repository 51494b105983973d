import Foundation
import Testing
import TestSupport

@testable import FeedParsing

/// The text of kept elements is read in C ahead of libxml2 (`hd_xml_take_text` in the CXML2
/// shim), and it must read exactly as libxml2 reads it: the same text, the same line ends, the
/// same errors at the same lines, the same recovery. Each document is parsed twice, with an
/// empty comment right before each kept start tag, and with it right after, which leaves the
/// whole text to libxml2 (the reader takes only what directly follows the start tag). Every
/// byte after the start tags is at the same offset in both (libxml2's push parser reads an
/// unclosed CDATA section differently by how much of the document is left).
@Suite(
    "Kept text read ahead of libxml2", .ownThread(nice: 19),
    .enabled(if: LibXML2SAXParser.readsKeptTextAhead, "the reader runs only with libxml2 2.9.14: nothing to compare"))
struct KeptTextReaderTests {
    /// An RSS document whose item's title, description and content hold `text`, followed by an
    /// item with an undefined entity (so a later error's line number is part of the result).
    static func document(_ text: String, bypass: Bool, damageAfter: Bool = true, atom: Bool = false) -> [UInt8] {
        func kept(_ tag: String, _ text: String, attributes: String = "") -> String {
            bypass ? "<\(tag)\(attributes)><!---->\(text)</\(tag)>" : "<!----><\(tag)\(attributes)>\(text)</\(tag)>"
        }
        if atom {
            var document = "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\n"
                + "<entry><id>urn:e1</id>" + kept("title", text, attributes: " type=\"html\"") + "\n" + kept("summary", text)
                + kept("content", text, attributes: " type=\"html\"") + "</entry>\n"
            if damageAfter { document += "<entry><id>urn:e2</id>" + kept("title", "x &undefined; y") + "</entry>\n" }
            return Array((document + "</feed>\n").utf8)
        }
        var document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
            + "<channel><title>t</title><link>http://e.example/</link>\n<item><guid>g1</guid>" + kept("title", text)
            + kept("description", text) + "\n" + kept("content:encoded", text) + "</item>\n"
            + "<item><guid>g2</guid>" + kept("title", "second") + "</item>\n"
        if damageAfter { document += "<item><guid>g3</guid>" + kept("title", "x &undefined; y") + "</item>\n" }
        document += "</channel></rss>\n"
        return Array(document.utf8)
    }

    /// The parse as a string that differs whenever any byte of any field, or any warning, does.
    /// `store`: how the parse's text store is sized (by default, to the document).
    static func reading(_ bytes: [UInt8], store: TextStoreSizing = TextStoreSizing()) -> String {
        var options = ParserOptions()
        options.textStore = store
        let feed: Feed
        do { feed = try FeedParser.parse(bytes, options: options) } catch { return "refused: \(error)" }
        func exact(_ string: String?) -> String { string.map { Array($0.utf8).description } ?? "nil" }
        var lines = ["format \(feed.format) title \(exact(feed.title)) link \(exact(feed.link))"]
        for entry in feed.entries {
            lines.append(
                "entry id \(exact(entry.id)) title \(exact(entry.title)) link \(exact(entry.link))"
                    + " summary \(exact(entry.summary)) content \(exact(entry.content)) key \(entry.key)")
        }
        lines += feed.warnings.map { "warning \($0)" }
        return lines.joined(separator: "\n")
    }

    /// Bytes of `document` read ahead of libxml2, in one pass.
    static func readAhead(_ document: [UInt8], store: TextStoreSizing = TextStoreSizing()) -> Int {
        var builder = XMLFeedBuilder(documentURL: nil, limits: ParserLimits(), documentBytes: document.count, textStore: store)
        _ = LibXML2SAXParser.parse(document, encoding: nil, into: &builder)
        return builder.textStorage.readAheadBytes
    }

    @Test("the first way reads kept text ahead of libxml2, the second leaves it all to libxml2")
    func bothWaysAreTaken() {
        let text = "&lt;p&gt;caf\u{E9} &amp; <![CDATA[<b>x</b>]]>\r\n"
        // The channel's title and link and the guids are read ahead in both.
        let others = Self.readAhead(Self.document("", bypass: true))
        #expect(others > 0)
        #expect(Self.readAhead(Self.document(text, bypass: true)) == others)
        #expect(Self.readAhead(Self.document(text, bypass: false)) >= others + 3 * text.utf8.count)
        // An entity XML does not define leaves the whole text to libxml2.
        #expect(Self.readAhead(Self.document("&nbsp;" + text, bypass: false)) < others + text.utf8.count)
        // What the reader takes whole.
        for taken in ["plain", "a\r\nb\rc\n", "&#60;&#x1F600;&quot;", "caf\u{E9} \u{1F600}", "<![CDATA[x]]> <![CDATA[y]]>", "a]b]]c"] {
            #expect(Self.readAhead(Self.document(taken, bypass: false)) >= others + 3 * taken.utf8.count, "\(Array(taken.utf8))")
        }
    }

    @Test("kept elements inside a document's own entity are left to libxml2's parse of the entity, and read the same")
    func keptTextInAnEntity() {
        func document(bypass: Bool) -> [UInt8] {
            let title = bypass ? "<title><!---->from an entity &amp;amp; more</title>" : "<!----><title>from an entity &amp;amp; more</title>"
            return Array(
                ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY item \"<item><guid>e1</guid>\(title)</item>\">]>\n"
                    + "<rss version=\"2.0\"><channel><title>t</title>&item;<item><guid>g2</guid><title>after &amp; it</title></item>"
                    + "</channel></rss>\n").utf8)
        }
        let direct = Self.reading(document(bypass: false))
        #expect(direct == Self.reading(document(bypass: true)))
        // (An entity's value keeps `&amp;` as a reference: the title reads "… &amp; more".)
        #expect(direct.contains(Array("from an entity &amp; more".utf8).description.dropFirst().dropLast()))
    }

    static func expectSameReading(
        _ text: String, damageAfter: Bool = true, atom: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let direct = reading(document(text, bypass: false, damageAfter: damageAfter, atom: atom))
        let throughLibxml2 = reading(document(text, bypass: true, damageAfter: damageAfter, atom: atom))
        #expect(direct == throughLibxml2, "text \(Array(text.utf8)) atom \(atom)", sourceLocation: sourceLocation)
    }

    /// Texts at the edges of what the reader takes, and just past them (left to libxml2).
    static let edges: [String] = [
        "", "plain", "two\nlines\n\nand a tab\there", "trailing spaces   ", "   leading",
        "&lt;p&gt;escaped &amp; &quot;quoted&quot; &apos;HTML&apos;&lt;/p&gt;",
        "&#60;&#x3C;&#x3c;&#1234567;&#x10FFFF;&#x1F600;&#233;&#xE9;", "&#13;&#10;&#9;&#xD;&#xA;",
        "&#0;", "&#x0;", "&#xD800;", "&#xFFFE;", "&#1114112;", "&#x110000;", "&#00000065;", "&#x0000041;",
        "&#;", "&#x;", "&#X41;", "&#65", "&#x41", "&lt", "&am;", "&ampx;", "&nbsp;", "&eacute;", "&undefined;", "& alone",
        "]]>", "a]]b", "a]>b", "]]", "a]", "x]]]>y",
        "CR LF\r\nlone CR\rend", "\r", "\r\n", "\r\r\n", "a\r", "\n\r\n\r",
        "caf\u{E9} \u{65E5}\u{672C} \u{1F600} \u{80}\u{9F} \u{FFFD}", "\u{FFFE}", "\u{FFFF}", "\u{1}", "\u{8}", "\u{B}", "\u{1F}", "\u{7F}",
        "\u{0}", "<![CDATA[in CDATA <b>&amp;</b>]]>", "<![CDATA[]]>", "<![CDATA[a]]><![CDATA[b]]>",
        "  <![CDATA[spaced]]>  ", "x<![CDATA[y\r\nz\rw]]>v", "<![CDATA[a\r]]>\nb", "<![CDATA[x]]]>",
        "<![CDATA[\u{1}]]>", "<![CDATA[\u{FFFE}]]>", "<![CDATA[unclosed", "<![CDATA[ ]]> &amp; <![CDATA[ ]]>",
        "before <b>child</b> after", "text <!-- comment --> more", "text <?pi x?> more", "a<br/>b",
    ]

    @Test("texts at the edges of what the reader takes read as libxml2 reads them")
    func edgeTexts() {
        for text in Self.edges {
            Self.expectSameReading(text)
            Self.expectSameReading(text, damageAfter: false)
            Self.expectSameReading(text, atom: true)
        }
    }

    @Test("bytes that are not UTF-8 read as libxml2 reads them")
    func malformedUTF8() {
        let sequences: [[UInt8]] = [
            [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xC3], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBE],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xE2, 0x82],
        ]
        for bytes in sequences {
            for (before, after) in [("", ""), ("ok ", " ok"), ("&amp;", "\n")] {
                let text = Array(before.utf8) + bytes + Array(after.utf8)
                // Built from bytes: a String would repair them.
                func document(bypass: Bool) -> [UInt8] {
                    let whole = Self.document("\u{1}MARK\u{1}", bypass: bypass)
                    let mark = Array("\u{1}MARK\u{1}".utf8)
                    var result: [UInt8] = []
                    var index = 0
                    while index < whole.count {
                        if whole[index...].starts(with: mark) {
                            result += text
                            index += mark.count
                        } else {
                            result.append(whole[index])
                            index += 1
                        }
                    }
                    return result
                }
                #expect(Self.reading(document(bypass: false)) == Self.reading(document(bypass: true)), "bytes \(text)")
            }
        }
    }

    @Test("random texts of entities, references, CDATA, line ends and odd characters read as libxml2 reads them")
    func randomTexts() {
        let pieces = [
            "a", "word ", "\n", "\t", " ", "\r\n", "\r", "&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#60;", "&#x3E;",
            "&#233;", "&#x1F600;", "&#13;", "&#0;", "&#xFFFE;", "&nbsp;", "&bogus;", "&", "]", "]]>", ">", "\u{E9}",
            "\u{4E2D}", "\u{1F600}", "\u{1}", "\u{FFFE}", "<![CDATA[", "]]>", "<![CDATA[c<d>&amp;]]>", "<b>", "</b>", "<br/>",
            "<!-- c -->", "<![CDATA[\r\n]]>",
        ]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33) % bound
        }
        for _ in 0..<400 {
            let text = (0..<next(24)).map { _ in pieces[next(pieces.count)] }.joined()
            Self.expectSameReading(text, damageAfter: next(2) == 0, atom: next(3) == 0)
        }
    }

    @Test("long kept text, past the parser's 4 MiB chunks, reads as libxml2 reads it")
    func longText() {
        // About 5 MB of escaped HTML and CDATA: chunk boundaries fall inside kept text.
        let paragraph = "&lt;p&gt;Line one &amp; more, caf\u{E9} \u{1F600}&lt;/p&gt;\r\n<![CDATA[<p>raw ]] text</p>\r\n]]>\n"
        let text = String(repeating: paragraph, count: 5_000_000 / paragraph.utf8.count / 3)
        Self.expectSameReading(text)
    }

    @Test("a document libxml2 decodes from another encoding reads the same both ways")
    func otherEncoding() throws {
        let text = "caf\u{E9} &amp; na\u{EF}ve &lt;b&gt; <![CDATA[d\u{E9}j\u{E0}]]>\r\nfin"
        func latin1(_ bytes: [UInt8]) -> [UInt8] {
            String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
                .unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        }
        let direct = latin1(Self.document(text, bypass: false))
        #expect(Self.reading(direct) == Self.reading(latin1(Self.document(text, bypass: true))))
        let title = try FeedParser.parse(direct, options: ParserOptions()).entries.first?.title
        #expect(title == "caf\u{E9} & na\u{EF}ve <b> d\u{E9}j\u{E0}\nfin")
    }

    @Test("a text store that starts empty grows under the reader as under libxml2's events")
    func growingStore() {
        let empty = TextStoreSizing(capacity: 0)
        let paragraph = "&lt;p&gt;caf\u{E9} &amp; \u{1F600}&lt;/p&gt;\r\n<![CDATA[<b>raw</b>]]>\n"
        let others = Self.readAhead(Self.document("", bypass: true), store: empty)
        for count in [1, 40, 41, 100, 400, 2_000] {  // 4 KiB, the first growth, is crossed at ~40
            let text = String(repeating: paragraph, count: count)
            let direct = Self.reading(Self.document(text, bypass: false), store: empty)
            #expect(direct == Self.reading(Self.document(text, bypass: true), store: empty), "\(count) paragraphs")
            #expect(direct == Self.reading(Self.document(text, bypass: false)), "\(count) paragraphs, store sized to the document")
            #expect(!direct.contains("out of memory"))
            #expect(Self.readAhead(Self.document(text, bypass: false), store: empty) >= others + 3 * text.utf8.count)
        }
    }

    @Test("a text store that cannot grow: the reader leaves the text to libxml2, and the parse says text is missing, as when libxml2 reads it all")
    func storeThatCannotGrow() {
        let bounded = TextStoreSizing(capacity: 0, ceiling: 8_192)
        // Escaped text alone: the reader takes none of it, so libxml2's events are the same both ways.
        let escaped = String(repeating: "&lt;p&gt;caf\u{E9} &amp; more&lt;/p&gt;\n", count: 1_000)
        let direct = Self.reading(Self.document(escaped, bypass: false), store: bounded)
        #expect(direct == Self.reading(Self.document(escaped, bypass: true), store: bounded))
        #expect(direct.contains("warning out of memory while collecting text: some text is missing"))
        // Text that fits, then CDATA and text that do not: the reader takes the first part and
        // leaves the rest, which libxml2 cuts into other pieces than when it reads it all, so
        // only the outcome is compared: the same entries, and text said to be missing.
        let mixed = "fits" + String(repeating: "<![CDATA[<b>raw</b>]]> &amp; text ", count: 400)
        for bypass in [false, true] {
            let reading = Self.reading(Self.document(mixed, bypass: bypass), store: bounded)
            #expect(reading.contains("warning out of memory while collecting text: some text is missing"), "bypass \(bypass)")
            #expect(reading.components(separatedBy: "\nentry id ").count == 4, "bypass \(bypass): \(reading.prefix(300))")
        }
    }

    @Test("a differential harness in C agrees: libxml2 and the reader give the same text, errors, lines, columns and entity counts on random documents")
    func differentialHarness() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        let compiler = ChildProcess.executable(["gcc", "clang", "cc"].flatMap { name in path.map { "\($0)/\(name)" } })
        try #require(FileManager.default.isExecutableFile(atPath: compiler), "no C compiler for the harness: apt-get install gcc")
        // Kept when a document differs: the harness writes the first five there.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kept-text-differential-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var differs = false
        defer { if !differs { try? FileManager.default.removeItem(at: directory) } }
        let harness = directory.appendingPathComponent("differential").path
        let build = try ChildProcess.runCapturingErrors(
            compiler,
            [
                "-O1", "-I/usr/include/libxml2", "-I" + root.appendingPathComponent("Sources/CXML2").path,
                root.appendingPathComponent("Tests/Differential/kept_text_differential.c").path, "-o", harness, "-lxml2",
            ], in: directory)
        try #require(build.status == 0, "\(String(decoding: build.errors, as: UTF8.self))")
        let runs: [([String], [String: String])] = [
            (["fuzz", "1", "20000"], [:]),
            (["fuzz", "2", "10000"], ["BADPCT": "20"]),
            (["fuzz", "3", "3000", "ISO-8859-1"], [:]),
            (["fuzz", "4", "3000"], ["WIDE": "2"]),
            (["bigfuzz", "5", "4"], [:]),
        ]
        for (arguments, environment) in runs {
            let result = try ChildProcess.runCapturingErrors(harness, arguments, environment: environment, in: directory)
            let output = String(decoding: result.output, as: UTF8.self)
            let agreed = result.status == 0 && output.contains(": 0/\(arguments[2]) differ")
            differs = differs || !agreed
            #expect(
                agreed,
                "\(arguments) \(environment): \(output)\(String(decoding: result.errors, as: UTF8.self)) (documents in \(directory.path))")
            #expect(!output.contains("advanced 0,"), "the reader took nothing: \(output)")
        }
    }
}
