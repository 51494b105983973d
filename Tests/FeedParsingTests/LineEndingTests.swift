@testable import FeedParsing
import Testing

/// Line ends as XML reads them (CR LF and a lone CR become LF), in text and in CDATA sections:
/// libxml2's push parser hands CDATA over unnormalised, so the text sink normalises it.
@Suite("Line ends")
struct LineEndingTests {
    static func summary(_ description: String) throws -> String? {
        let document = "<?xml version=\"1.0\"?>\r\n<rss version=\"2.0\"><channel><title>t</title><item><title>i</title>"
            + "<link>http://e.example/1</link><description>" + description + "</description></item></channel></rss>"
        return try FeedParser.parse(Array(document.utf8), options: ParserOptions()).entries.first?.summary
    }

    @Test("CR LF and a lone CR read as LF, in CDATA and in text")
    func normalised() throws {
        #expect(try Self.summary("<![CDATA[<p>a\r\nb\rc\r\n\r\nd</p>]]>") == "<p>a\nb\nc\n\nd</p>")
        #expect(try Self.summary("a\r\nb\rc") == "a\nb\nc")
        #expect(try Self.summary("<![CDATA[ends with CR\r]]>") == "ends with CR")  // trimmed, as any trailing space
    }

    @Test("a character reference to CR stays a CR, as XML says; a CDATA section ending in CR before text starting with LF makes two line ends")
    func references() throws {
        #expect(try Self.summary("x&#13;y&#xD;&#10;z") == "x\ry\r\nz")
        #expect(try Self.summary("<![CDATA[a\r]]>\nb") == "a\n\nb")
    }
}
