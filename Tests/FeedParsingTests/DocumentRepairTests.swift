import Testing
import TestSupport

@testable import FeedParsing

/// Pass 1 (`normaliseEncoding`) and pass 2 (`repairMarkup`).
@Suite(.ownThread(nice: 19)) struct DocumentRepairTests {
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// An RSS document around `item` (an `<item>`'s inner markup), after `prolog`.
    private static func rss(_ item: String, prolog: String = #"<?xml version="1.0" encoding="utf-8"?>"#) -> String {
        prolog + "\n<rss version=\"2.0\"><channel><title>T</title><item>" + item + "</item></channel></rss>\n"
    }

    /// What libxml2 (as FeedParsing drives it) says of `bytes`: well-formed, how many errors, and
    /// the feed title, entry titles and entry ids seen, joined by `|`.
    private static func parse(_ bytes: [UInt8], encoding: String? = nil) -> (wellFormed: Bool, errors: Int, text: String) {
        var builder = XMLFeedBuilder(documentURL: nil, limits: ParserLimits())
        let report = LibXML2SAXParser.parse(bytes, encoding: encoding, into: &builder)
        let texts = [builder.feedTitle] + builder.entries.flatMap { [$0.title, $0.id] }
        return (report.wellFormed, report.errorCount, texts.compactMap { $0 }.joined(separator: "|"))
    }

    /// Pass 2, then libxml2: the repaired text, notes, and whether it is now well-formed.
    private static func repaired(_ document: String) -> (text: String, notes: [String], wellFormed: Bool, parsed: String) {
        let (output, notes) = DocumentRepair.repairMarkup(bytes(document))
        let result = parse(output)
        return (text(output), notes, result.wellFormed && result.errors == 0, result.text)
    }

    // MARK: - Pass 1: the fast path

    @Test func validUTF8IsReturnedAsTheSameArray() {
        let input = Self.bytes(Self.rss("<title>caf\u{E9} \u{201C}quoted\u{201D} \u{1F600}</title>"))
        let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: nil)
        #expect(prepared.bytes == input)
        #expect(prepared.encoding == nil)
        #expect(prepared.notes.isEmpty)
        let sameStorage = input.withUnsafeBufferPointer { a in prepared.bytes.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        #expect(sameStorage, "no copy on the fast path")
    }

    @Test func fastPathCoversBOMSingleQuotesUSASCIIAndHTTPUTF8() {
        let withBOM: [UInt8] = [0xEF, 0xBB, 0xBF] + Self.bytes(Self.rss("<title>\u{E9}</title>"))
        let bom = DocumentRepair.normaliseEncoding(withBOM, httpCharset: nil)
        #expect(bom.bytes == withBOM && bom.encoding == nil && bom.notes.isEmpty)

        let ascii = Self.bytes(Self.rss("<title>plain</title>", prolog: "<?xml version='1.0' encoding='US-ASCII'?>"))
        let asciiPrepared = DocumentRepair.normaliseEncoding(ascii, httpCharset: "utf-8")
        #expect(asciiPrepared.bytes == ascii && asciiPrepared.encoding == nil && asciiPrepared.notes.isEmpty)

        let undeclared = Self.bytes(Self.rss("<title>\u{E9}</title>", prolog: ""))
        #expect(DocumentRepair.normaliseEncoding(undeclared, httpCharset: "\"UTF-8\"").bytes == undeclared)
        #expect(DocumentRepair.normaliseEncoding([], httpCharset: nil).bytes.isEmpty)
    }

    @Test func utf8ValidatorRejectsWhatRFC3629Forbids() {
        #expect(UTF8Validation.scan(Self.bytes("plain ascii, longer than thirty-two bytes in all")) == .ascii)
        #expect(UTF8Validation.scan(Self.bytes("\u{E9}\u{20AC}\u{10FFFF}")) == .valid)
        #expect(UTF8Validation.scan([0x61, 0xC0, 0xAF]) == .invalid(firstBad: 1))  // overlong '/'
        #expect(UTF8Validation.scan([0xE0, 0x80, 0xAF]) == .invalid(firstBad: 0))  // overlong
        #expect(UTF8Validation.scan([0xED, 0xA0, 0x80]) == .invalid(firstBad: 0))  // surrogate D800
        #expect(UTF8Validation.scan([0xF4, 0x90, 0x80, 0x80]) == .invalid(firstBad: 0))  // above 10FFFF
        #expect(UTF8Validation.scan([0x61, 0x62, 0xE2, 0x82]) == .invalid(firstBad: 2))  // truncated
        let long = [UInt8](repeating: 0x61, count: 45) + [0xFF] + [UInt8](repeating: 0x61, count: 20)
        #expect(UTF8Validation.scan(long) == .invalid(firstBad: 45))
    }

    @Test func utf8ValidatorAgreesWithTheStandardLibrary() {
        // Random byte strings over an alphabet of ASCII, lead bytes, continuation bytes and the
        // edges of the forbidden ranges; a fixed-seed generator keeps the test reproducible.
        let alphabet: [UInt8] = [0x41, 0x3C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<10_000 {
            let bytes = (0..<(next() % 40)).map { _ in next() % 3 == 0 ? UInt8(0x61) : alphabet[next() % alphabet.count] }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            let scan = UTF8Validation.scan(bytes)
            if case .invalid(let bad) = scan {
                #expect(!valid)
                #expect(String(validating: bytes[..<bad], as: UTF8.self) != nil)
                #expect((1...4).allSatisfy { bad + $0 > bytes.count || String(validating: bytes[bad..<bad + $0], as: UTF8.self) == nil })
                let repaired = UTF8Validation.repair(bytes, from: 0, firstBad: bad).bytes
                #expect(String(validating: repaired, as: UTF8.self) != nil)
            } else {
                #expect(valid)
                #expect((scan == .ascii) == bytes.allSatisfy { $0 < 0x80 })
            }
        }
    }

    // MARK: - Pass 1: UTF-16 and UTF-32

    @Test func utf16WithByteOrderMarksIsTranscoded() {
        let document = Self.rss("<title>caf\u{E9} \u{1F600}</title>", prolog: #"<?xml version="1.0" encoding="utf-16"?>"#)
        let units = Array(document.utf16)
        let little: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for (input, name) in [(little, "UTF-16LE"), (big, "UTF-16BE")] {
            let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: "iso-8859-1")
            #expect(Self.text(prepared.bytes) == document)
            #expect(prepared.encoding == nil)
            #expect(prepared.notes == ["\(name) (byte order mark) transcoded to UTF-8"])
            #expect(Self.parse(prepared.bytes).text.contains("caf\u{E9} \u{1F600}"))
        }
        // No byte order mark: the zero bytes give it away.
        let unmarked: [UInt8] = units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(Self.text(DocumentRepair.normaliseEncoding(unmarked, httpCharset: nil).bytes) == document)
        // An unpaired surrogate becomes U+FFFD.
        let broken: [UInt8] = [0xFF, 0xFE, 0x3C, 0x00, 0x00, 0xD8, 0x3E, 0x00]
        let repaired = DocumentRepair.normaliseEncoding(broken, httpCharset: nil)
        #expect(Self.text(repaired.bytes) == "<\u{FFFD}>")
        #expect(repaired.notes.count == 2)
    }

    @Test func utf32WithByteOrderMarkIsTranscoded() {
        let document = Self.rss("<title>\u{E9}\u{1F600}</title>")
        let scalars = document.unicodeScalars.map(\.value)
        let little: [UInt8] = [0xFF, 0xFE, 0, 0] + scalars.flatMap { v in (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let prepared = DocumentRepair.normaliseEncoding(little, httpCharset: nil)
        #expect(Self.text(prepared.bytes) == document)
        #expect(prepared.notes == ["UTF-32LE (byte order mark) transcoded to UTF-8"])
    }

    @Test func declaredUTF16OnSingleByteTextIsReadAsUTF8() {
        let input = Self.bytes(Self.rss("<title>\u{E9}</title>", prolog: #"<?xml version="1.0" encoding="utf-16"?>"#))
        let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: nil)
        #expect(prepared.bytes == input)
        #expect(prepared.encoding == nil)
        #expect(prepared.notes == ["labelled 'utf-16' but single-byte: read as UTF-8"])
        #expect(Self.parse(prepared.bytes).wellFormed)
    }

    // MARK: - Pass 1: windows-1252 and other encodings

    @Test func latin1DeclaredSmartQuotesBecomeUnicode() {
        var input = Self.bytes(Self.rss("<title>X</title>", prolog: #"<?xml version="1.0" encoding="ISO-8859-1"?>"#))
        let x = input.firstIndex(of: UInt8(ascii: "X"))!
        input.replaceSubrange(x...x, with: [0x93, 0x63, 0x61, 0x66, 0xE9, 0x94, 0x80])
        let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: nil)
        #expect(prepared.encoding == nil)
        #expect(Self.text(prepared.bytes).contains("<title>\u{201C}caf\u{E9}\u{201D}\u{20AC}</title>"))
        #expect(prepared.notes == ["decoded as windows-1252"])
        #expect(Self.parse(prepared.bytes).text.contains("\u{201C}caf\u{E9}\u{201D}"))
    }

    @Test func latin1DeclaredButAllASCIIIsLeftAlone() {
        let input = Self.bytes(Self.rss("<title>plain</title>", prolog: "<?xml version='1.0' encoding='windows-1252'?>"))
        let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: nil)
        #expect(prepared.bytes == input && prepared.encoding == nil && prepared.notes.isEmpty)
    }

    @Test func strayLatin1ByteInUTF8IsReadAsWindows1252() {
        var input = Self.bytes(Self.rss("<title>\u{201C}caf_\u{201D} \u{E9}</title>"))
        let underscore = input.firstIndex(of: UInt8(ascii: "_"))!
        input[underscore] = 0xE9  // a lone latin-1 é among valid UTF-8
        let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: nil)
        #expect(prepared.encoding == nil)
        #expect(Self.text(prepared.bytes).contains("<title>\u{201C}caf\u{E9}\u{201D} \u{E9}</title>"))
        #expect(prepared.notes == ["1 invalid UTF-8 byte read as windows-1252"])
        #expect(UTF8Validation.scan(prepared.bytes) == .valid)
    }

    @Test func otherEncodingsAreLeftToLibxml2() {
        let koi8: [UInt8] = Self.bytes(#"<?xml version="1.0" encoding="koi8-r"?><rss><channel><title>"#) + [0xF0, 0xD2, 0xC9]
            + Self.bytes("</title></channel></rss>")
        let prepared = DocumentRepair.normaliseEncoding(koi8, httpCharset: nil)
        #expect(prepared.bytes == koi8)
        #expect(prepared.encoding == "koi8-r")
        #expect(Self.parse(prepared.bytes, encoding: prepared.encoding).text == "\u{41F}\u{440}\u{438}")

        let gb = Self.bytes("<?xml version='1.0' encoding='gb2312'?><rss>") + [0xC4, 0xE3] + Self.bytes("</rss>")
        #expect(DocumentRepair.normaliseEncoding(gb, httpCharset: nil).encoding == "GB18030")

        // All ASCII: nothing for libxml2 to decode.
        let plain = Self.bytes(#"<?xml version="1.0" encoding="Shift_JIS"?><rss/>"#)
        #expect(DocumentRepair.normaliseEncoding(plain, httpCharset: nil).encoding == nil)
    }

    @Test("charset labels: quotes and white space trimmed, any case, '_' as '-'; nothing left is no label")
    func charsetLabels() {
        for utf8 in ["UTF-8", "utf-8", " \"Utf_8\" ", "'us-ascii'", "\tUTF8\r\n"] { #expect(CharsetLabel(utf8) == .utf8, "\(utf8)") }
        for latin1 in ["ISO-8859-1", " latin1 ", "\"windows-1252\""] { #expect(CharsetLabel(latin1) == .windows1252, "\(latin1)") }
        #expect(CharsetLabel(" 'UTF-16LE' ") == .wide)
        #expect(CharsetLabel(" \" ' ") == nil)
        #expect(CharsetLabel("") == nil)
        // What is not a known name keeps its bytes as written, only the ASCII ends trimmed.
        #expect(CharsetLabel("\"x\u{0600}\"") == .unknown("x\u{0600}"))
        #expect(CharsetLabel(" é-9 ") == .unknown("é-9"))
    }

    @Test func unknownEncodingIsReadAsUTF8() {
        let input = Self.bytes(Self.rss("<title>\u{E9}</title>", prolog: #"<?xml version="1.0" encoding="bogus"?>"#))
        let prepared = DocumentRepair.normaliseEncoding(input, httpCharset: "nonsense")
        #expect(prepared.bytes == input)
        #expect(prepared.encoding == nil)
        #expect(prepared.notes == ["unknown encoding 'bogus' read as UTF-8", "unknown HTTP charset 'nonsense' ignored"])
    }

    @Test func httpCharsetWinsUnlessTheBytesSayOtherwise() {
        // No declaration, windows-1252 bytes, HTTP windows-1252 (feedparser's http_text_xml_charset_2).
        let cp1252: [UInt8] = Self.bytes("<rss><channel><title>") + [0xA3, 0x93, 0x74, 0x94] + Self.bytes("</title></channel></rss>")
        let decoded = DocumentRepair.normaliseEncoding(cp1252, httpCharset: "windows-1252")
        #expect(Self.text(decoded.bytes).contains("\u{A3}\u{201C}t\u{201D}"))

        // HTTP koi8-r over a declared iso-8859-1.
        let declaredLatin1: [UInt8] = Self.bytes(#"<?xml version="1.0" encoding="iso-8859-1"?><rss>"#) + [0xF0] + Self.bytes("</rss>")
        #expect(DocumentRepair.normaliseEncoding(declaredLatin1, httpCharset: "KOI8-R").encoding == "KOI8-R")

        // HTTP utf-8, but the bytes are not UTF-8: the declared iso-8859-1 is used.
        let latin = DocumentRepair.normaliseEncoding(declaredLatin1, httpCharset: "utf-8")
        #expect(Self.text(latin.bytes).contains("<rss>\u{F0}</rss>"))
        #expect(latin.notes.first == "HTTP charset 'utf-8' ignored: the bytes are not UTF-8")

        // HTTP iso-8859-1, but the document says UTF-8 and its bytes are UTF-8.
        let utf8 = Self.bytes(Self.rss("<title>\u{E9}</title>"))
        let kept = DocumentRepair.normaliseEncoding(utf8, httpCharset: "ISO-8859-1")
        #expect(kept.bytes == utf8)
        #expect(kept.notes == ["HTTP charset 'ISO-8859-1' ignored: the document is UTF-8"])

        // A BOM beats everything.
        let bom = [0xEF, 0xBB, 0xBF] + utf8
        #expect(DocumentRepair.normaliseEncoding(bom, httpCharset: "koi8-r").bytes == bom)
    }

    @Test func windows1252TableMatchesTheStandard() {
        #expect(Windows1252.codePoint(of: 0x80) == 0x20AC)
        #expect(Windows1252.codePoint(of: 0x92) == 0x2019)
        #expect(Windows1252.codePoint(of: 0x9F) == 0x0178)
        #expect(Windows1252.codePoint(of: 0x81) == 0x0081)  // undefined: the C1 control
        #expect(Windows1252.codePoint(of: 0xE9) == 0x00E9)
        #expect(Self.text(Windows1252.decode([0x61, 0x85, 0xFF])) == "a\u{2026}\u{FF}")
    }

    // MARK: - Pass 2: references

    @Test func strayAmpersandsAreEscaped() {
        let result = Self.repaired(Self.rss("<title>Fish & Chips &amp; more &#169; &#xA9; &lt;</title><link>http://x/?a=1&b=2&c</link>"))
        #expect(result.text.contains("<title>Fish &amp; Chips &amp; more &#169; &#xA9; &lt;</title>"))
        #expect(result.text.contains("<link>http://x/?a=1&amp;b=2&amp;c</link>"))
        #expect(result.notes == ["3 stray '&' escaped"])
        #expect(result.wellFormed)
        #expect(result.parsed.contains("Chips") && result.parsed.contains("more \u{A9} \u{A9}"))
    }

    @Test func htmlEntitiesAreLeftForTheParser() {
        let result = Self.repaired(Self.rss("<title>a&nbsp;b &eacute; &hellip; & </title>"))
        #expect(result.text.contains("a&nbsp;b &eacute; &hellip; &amp; "))
        #expect(result.notes == ["1 stray '&' escaped"])
        #expect(result.wellFormed)
        #expect(result.parsed.contains("a\u{A0}b \u{E9} \u{2026}"))
    }

    @Test func unknownEntitiesAreEscapedAndDeclaredOnesKept() {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
              <!ENTITY id "tag:example.com,">
              <!ENTITY % external SYSTEM "http://example.com/x.ent">
            ]>
            <rss><channel><item><guid>&id;2006 &foo; &bar;</guid></item></channel></rss>
            """
        let result = Self.repaired(document)
        #expect(result.text.contains("<guid>&id;2006 &amp;foo; &amp;bar;</guid>"))
        #expect(result.notes == ["2 unknown entity reference(s) escaped (&foo;)"])
        #expect(result.wellFormed)
        #expect(result.parsed.contains("tag:example.com,2006") && result.parsed.contains("foo;"))
    }

    @Test func referencesToForbiddenCharactersAreRemoved() {
        let result = Self.repaired(Self.rss("<title>a&#0;b&#x1;c&#xD800;d&#x110000;e&#99999999999;f&#9;&#X41;</title>"))
        #expect(result.text.contains("<title>abcdef&#9;&#x41;</title>"))
        #expect(result.notes == ["5 reference(s) to characters XML forbids removed"])
        #expect(result.wellFormed)
    }

    // MARK: - Pass 2: characters

    @Test("forbidden characters are dropped wherever they fall in the 16-byte steps of the scan; allowed ones stay")
    func forbiddenCharactersAtEveryOffset() {
        // Allowed: tab, LF, CR, U+F000 (0xEF, the first byte U+FFFE/U+FFFF share), DEL.
        let allowed = "\t\n\r\u{F000}\u{7F}"
        for forbidden in ["\u{1}", "\u{B}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"] {
            for offset in 0..<40 {
                let before = String(repeating: "a", count: offset) + allowed
                let text = before + forbidden + "z" + allowed + forbidden
                let result = ForbiddenCharacters.removed(from: Self.bytes(text))
                #expect(result.map { Self.text($0.bytes) } == before + "z" + allowed, "\(forbidden.unicodeScalars.first!.value) at \(offset)")
                #expect(result?.count == 2)
            }
        }
        #expect(ForbiddenCharacters.removed(from: Self.bytes(String(repeating: "ab\t\u{F000}", count: 20))) == nil)
    }

    @Test func controlCharactersAreRemoved() {
        let result = Self.repaired(Self.rss("<title>a\u{0}b\u{2}c\u{1B}d\u{7F}e\u{85}f\tg\u{FFFE}h\u{FFFF}</title>"))
        #expect(result.text.contains("<title>abcd\u{7F}e\u{85}f\tgh</title>"))  // DEL and C1 are allowed
        #expect(result.notes == ["5 control character(s) or U+FFFE/U+FFFF removed"])
        #expect(result.wellFormed)
    }

    @Test func cdataCommentsAndProcessingInstructionsAreUntouched() {
        let item = "<description><![CDATA[Fish & Chips <b>bold</b> &foo; ]]></description>"
            + "<!-- a & b < c --><?php echo '&x' ?><title>a & b</title>"
        let result = Self.repaired(Self.rss(item))
        #expect(result.text.contains("<![CDATA[Fish & Chips <b>bold</b> &foo; ]]>"))
        #expect(result.text.contains("<!-- a & b < c --><?php echo '&x' ?>"))
        #expect(result.text.contains("<title>a &amp; b</title>"))
        #expect(result.notes == ["1 stray '&' escaped"])
        #expect(result.wellFormed)
    }

    @Test func wellFormedDocumentsComeBackUnchanged() {
        let document = """
            <?xml version="1.0" encoding="utf-8" standalone="yes"?>
            <?xml-stylesheet type="text/css" href="s.css"?>
            <!DOCTYPE rss [ <!ENTITY x "y"> ]>
            <!-- comment -->
            <rss version='2.0' xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel><title a = "1" b='&amp;&#38;&x;'>A &lt; B &gt; C &x; &copy;</title>
            <item><description><![CDATA[<p>x</p>]]></description><dc:creator>\u{E9}</dc:creator><br/><empty /></item>
            </channel></rss>

            """
        let (output, notes) = DocumentRepair.repairMarkup(Self.bytes(document))
        #expect(Self.text(output) == document)
        #expect(notes.isEmpty)
    }

    // MARK: - Pass 2: document structure

    @Test func leadingJunkBeforeTheXMLDeclarationIsDropped() {
        let junk = Self.repaired("\n  garbage\n" + Self.rss("<title>t</title>"))
        #expect(junk.text.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss"))
        #expect(junk.notes == ["11 bytes before the root element dropped"])
        #expect(junk.wellFormed)

        let bom = DocumentRepair.repairMarkup([0xEF, 0xBB, 0xBF] + Self.bytes("\r\n \n" + Self.rss("<title>t</title>")))
        #expect(Self.text(bom.bytes).hasPrefix("<?xml version"))
        #expect(bom.notes == ["4 bytes before the root element dropped"])
    }

    @Test func misplacedOrMalformedDeclarationIsDroppedAndBareAttributesQuoted() {
        // The shape of a real feed: comments, then a broken declaration, then unquoted values.
        let document = """
            <!-- arts & ego -->
            <!-- generated -->
            <?xml?xml version="1.0" encoding="UTF-8" ??>
            <rss rss:version=2.0 xmlns:rss="http://example.com/">
            <rss:channel><rss:item><rss:guid rss:isPermaLink=true>https://x/1</rss:guid></rss:item></rss:channel>
            </rss>
            """
        let result = Self.repaired(document)
        #expect(result.text.hasPrefix("<!-- arts & ego -->\n<!-- generated -->\n\n<rss rss:version=\"2.0\""))
        #expect(result.text.contains("<rss:guid rss:isPermaLink=\"true\">"))
        #expect(result.notes == ["1 misplaced or malformed XML declaration(s) dropped", "2 attribute value(s) quoted"])
        #expect(result.wellFormed)
    }

    @Test func contentAfterTheRootElementIsDropped() {
        let document = Self.rss("<title>t</title>") + "<script src=\"/x.js\"></script>\n<!-- ok -->\n"
        let result = Self.repaired(document)
        #expect(result.text.hasSuffix("</channel></rss>\n"))
        #expect(result.notes == ["43 bytes after the root element dropped"])
        #expect(result.wellFormed)
    }

    @Test func strayLessThanRepeatedAttributesAndUnclosedTagsAreMended() {
        let document = """
            <rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel><title>1 < 2</title><item><description>a<br>b <img src="x"></description>
            <title a="1"b="x<y" ,>t</title></item></channel></rss
            """
        let result = Self.repaired(document)
        #expect(result.text.contains("<title>1 &lt; 2</title>"))
        #expect(result.text.contains("a<br/>b <img src=\"x\"/></description>"))
        #expect(result.text.contains("<title a=\"1\" b=\"x&lt;y\" >"))
        #expect(result.text.hasSuffix("</rss>"))
        #expect(result.notes == ["2 stray '<' escaped", "1 repeated attribute(s) dropped", "3 broken tag(s) mended"])
        #expect(result.wellFormed)
    }

    @Test func elementsAreBalanced() {
        let document = Self.rss("<description><p>one<i>two</p></b> three</description><title>t") + "\n"
        let result = Self.repaired(document)
        #expect(result.text.contains("<p>one<i>two</i></p> three</description><title>t</title></item>"))
        #expect(result.notes == ["1 stray end tag(s) dropped", "2 unclosed element(s) closed"])
        #expect(result.wellFormed)
        // An early end tag of the root element does not end the document.
        let early = Self.repaired("<rss><channel><title>a</rss>b</title><item/></channel></rss>")
        #expect(early.text == "<rss><channel><title>ab</title><item/></channel></rss>")
        #expect(early.wellFormed)
    }

    @Test func commentsWithDoubleHyphensAndParameterReferencesAreMended() {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [
            <!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">
            %HTMLlat1;
            ]>
            <rss><!-- a -- b ---><channel><title>&eacute;</title></channel></rss>
            """
        let result = Self.repaired(document)
        #expect(!result.text.contains("%HTMLlat1;"))
        #expect(result.text.contains("<!-- a - - b - -->"))
        #expect(result.notes == ["2 '--' in comments split", "1 parameter entity reference(s) dropped from the DOCTYPE"])
        #expect(result.wellFormed)
        #expect(result.parsed == "\u{E9}")
    }

    @Test func iso2022DocumentsAreNotTouched() {
        let input: [UInt8] = Self.bytes("<rss><title>") + [0x1B, 0x24, 0x42, 0x24, 0x26, 0x24, 0x3C, 0x1B, 0x28, 0x42]
            + Self.bytes("</title></rss>")
        let (output, notes) = DocumentRepair.repairMarkup(input)
        #expect(output == input)
        #expect(notes == ["ISO-2022 escape sequences: markup not repaired"])
    }
}
