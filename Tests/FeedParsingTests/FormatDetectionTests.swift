import Foundation
import Testing

import FeedParsing

/// One small document per format, recognised from its content alone, and the link, title and
/// content rules that differ between formats.
@Suite("FormatDetection")
struct FormatDetectionTests {
    static func parse(_ document: String, url: String? = nil) throws -> Feed {
        try FeedParser.parse(Array(document.utf8), options: ParserOptions(documentURL: url))
    }

    static func iso(_ date: Date?) -> String? { date.map(FeedDate.format) }

    /// What one format's sample must give: the feed and its first entry.
    struct Sample: Sendable, CustomTestStringConvertible {
        let name: String
        let document: String
        let format: FeedFormat
        let title: String
        let link: String
        let entryID: String?
        let entryLink: String?
        let entryTitle: String
        /// The first entry's date (published, else updated) as YYYY-MM-DDTHH:MM:SSZ.
        let entryDate: String?
        let entryCount: Int

        var testDescription: String { name }
    }

    static let samples: [Sample] = [
        Sample(
            name: "RSS 0.90 (RDF, Netscape 0.9 namespace)",
            document: """
                <?xml version="1.0"?>
                <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
                  <channel><title>Mozilla Dot Org</title><link>http://www.mozilla.org</link><description>d</description></channel>
                  <image><title>Mozilla image</title><url>http://www.mozilla.org/images/moz.gif</url><link>http://www.mozilla.org/image</link></image>
                  <item><title>New Status Updates</title><link>http://www.mozilla.org/status/</link></item>
                  <item><title>Bugzilla Reorganized</title><link>http://www.mozilla.org/bugs/</link></item>
                </rdf:RDF>
                """,
            format: .rss090, title: "Mozilla Dot Org", link: "http://www.mozilla.org", entryID: nil,
            entryLink: "http://www.mozilla.org/status/", entryTitle: "New Status Updates", entryDate: nil, entryCount: 2),
        Sample(
            name: "RSS 0.91",
            document: """
                <?xml version="1.0" encoding="ISO-8859-1"?>
                <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
                <rss version="0.91"><channel><title>WriteTheWeb</title><link>http://writetheweb.com</link><description>News</description>
                  <image><title>WriteTheWeb image</title><url>http://writetheweb.com/images/logo.gif</url><link>http://writetheweb.com/image</link></image>
                  <item><title>Giving the world a pluggable Gnutella</title><link>http://writetheweb.com/read.php?item=24&amp;x=1</link><description>WorldOS</description></item>
                </channel></rss>
                """,
            format: .rss091, title: "WriteTheWeb", link: "http://writetheweb.com", entryID: nil,
            entryLink: "http://writetheweb.com/read.php?item=24&x=1", entryTitle: "Giving the world a pluggable Gnutella",
            entryDate: nil, entryCount: 1),
        Sample(
            name: "RSS 0.92",
            document: """
                <?xml version="1.0"?>
                <rss version="0.92"><channel><title>Dave Winer: Grateful Dead</title><link>http://www.scripting.com/blog/categories/gratefulDead.html</link>
                  <item><title>Inside Out</title><link>http://www.scripting.com/inside-out</link><description>It's been a long time</description>
                    <source url="http://scriptingnews.userland.com/xml/scriptingNews2.xml">Scripting News</source>
                    <enclosure url="http://www.scripting.com/mp3s/weatherReportSuite.mp3" length="12216320" type="audio/mpeg"/></item>
                </channel></rss>
                """,
            format: .rss092, title: "Dave Winer: Grateful Dead", link: "http://www.scripting.com/blog/categories/gratefulDead.html",
            entryID: nil, entryLink: "http://www.scripting.com/inside-out", entryTitle: "Inside Out", entryDate: nil, entryCount: 1),
        Sample(
            name: "RSS 2.0",
            document: """
                <?xml version="1.0"?>
                <rss version="2.0"><channel><title>Liftoff News</title><link>http://liftoff.msfc.nasa.gov/</link><ttl>60</ttl>
                  <item><title>Star City</title><link>http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp</link>
                    <pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate><guid>http://liftoff.msfc.nasa.gov/2003/06/03.html#item573</guid></item>
                  <item><title>Second</title><guid>http://liftoff.msfc.nasa.gov/2</guid></item>
                </channel></rss>
                """,
            format: .rss20, title: "Liftoff News", link: "http://liftoff.msfc.nasa.gov/",
            entryID: "http://liftoff.msfc.nasa.gov/2003/06/03.html#item573",
            entryLink: "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp", entryTitle: "Star City",
            entryDate: "2003-06-03T09:39:21Z", entryCount: 2),
        Sample(
            name: "RSS 1.0 (RDF)",
            document: """
                <?xml version="1.0"?>
                <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns="http://purl.org/rss/1.0/">
                  <channel rdf:about="http://www.xml.com/xml/news.rss"><title>XML.com</title><link>http://xml.com/pub</link><description>d</description></channel>
                  <item rdf:about="http://xml.com/pub/2000/08/09/xslt/xslt.html"><title>Processing Inclusions with XSLT</title>
                    <link>http://xml.com/pub/2000/08/09/xslt/xslt.html?from=rss</link><dc:date>2000-08-09T10:00:00+02:00</dc:date></item>
                </rdf:RDF>
                """,
            format: .rss10, title: "XML.com", link: "http://xml.com/pub", entryID: "http://xml.com/pub/2000/08/09/xslt/xslt.html",
            entryLink: "http://xml.com/pub/2000/08/09/xslt/xslt.html?from=rss", entryTitle: "Processing Inclusions with XSLT",
            entryDate: "2000-08-09T08:00:00Z", entryCount: 1),
        Sample(
            name: "Atom 0.3",
            document: """
                <?xml version="1.0" encoding="utf-8"?>
                <feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>dive into mark</title>
                  <link rel="alternate" type="text/html" href="http://diveintomark.org/"/><modified>2003-12-13T18:30:02Z</modified>
                  <entry><title>Atom 0.3 snapshot</title><link rel="alternate" type="text/html" href="http://diveintomark.org/2003/12/13/atom03"/>
                    <id>tag:diveintomark.org,2003:3.2397</id><issued>2003-12-13T08:29:29-04:00</issued><modified>2003-12-13T18:30:02Z</modified></entry>
                </feed>
                """,
            format: .atom03, title: "dive into mark", link: "http://diveintomark.org/", entryID: "tag:diveintomark.org,2003:3.2397",
            entryLink: "http://diveintomark.org/2003/12/13/atom03", entryTitle: "Atom 0.3 snapshot",
            entryDate: "2003-12-13T12:29:29Z", entryCount: 1),
        Sample(
            name: "Atom 1.0",
            document: """
                <?xml version="1.0" encoding="utf-8"?>
                <feed xmlns="http://www.w3.org/2005/Atom"><title>Example Feed</title><link href="http://example.org/"/>
                  <link rel="self" href="http://example.org/feed.atom"/><updated>2003-12-13T18:30:02Z</updated><id>urn:uuid:60a76c80-d399</id>
                  <entry><title>Atom-Powered Robots Run Amok</title><link rel="enclosure" href="http://example.org/robots.mp3" type="audio/mpeg"/>
                    <link href="http://example.org/2003/12/13/atom03"/><id>urn:uuid:1225c695-cfb8</id>
                    <published>2003-12-13T08:29:29-04:00</published><updated>2003-12-13T18:30:02Z</updated></entry>
                </feed>
                """,
            format: .atom10, title: "Example Feed", link: "http://example.org/", entryID: "urn:uuid:1225c695-cfb8",
            entryLink: "http://example.org/2003/12/13/atom03", entryTitle: "Atom-Powered Robots Run Amok",
            entryDate: "2003-12-13T12:29:29Z", entryCount: 1),
        Sample(
            name: "JSON Feed 1.0",
            document: """
                {"version": "https://jsonfeed.org/version/1", "title": "My Example Feed", "home_page_url": "https://example.org/",
                 "feed_url": "https://example.org/feed.json",
                 "items": [{"id": "2", "content_text": "This is a second item.", "url": "https://example.org/second-item",
                            "title": "Second", "date_published": "2010-02-07T14:04:00-05:00"},
                           {"id": "1", "content_html": "<p>Hello, world!</p>", "url": "https://example.org/initial-post"}]}
                """,
            format: .jsonFeed10, title: "My Example Feed", link: "https://example.org/", entryID: "2",
            entryLink: "https://example.org/second-item", entryTitle: "Second", entryDate: "2010-02-07T19:04:00Z", entryCount: 2),
        Sample(
            name: "JSON Feed 1.1",
            document: """
                {"version": "https://jsonfeed.org/version/1.1", "title": "One One", "home_page_url": "https://example.org/",
                 "items": [{"id": "https://example.org/7", "url": "https://example.org/p/7", "title": "Seven",
                            "date_published": "2020-01-01T00:00:00Z", "authors": [{"name": "A"}]}]}
                """,
            format: .jsonFeed11, title: "One One", link: "https://example.org/", entryID: "https://example.org/7",
            entryLink: "https://example.org/p/7", entryTitle: "Seven", entryDate: "2020-01-01T00:00:00Z", entryCount: 1),
    ]

    @Test("each format is recognised, with its feed title and link and its first entry", arguments: samples)
    func recognisesFormat(_ sample: Sample) throws {
        let feed = try Self.parse(sample.document)
        #expect(feed.format == sample.format)
        #expect(feed.title == sample.title)
        #expect(feed.link == sample.link)
        #expect(feed.entries.count == sample.entryCount)
        #expect(feed.warnings.isEmpty, "a clean sample needs no recovery: \(feed.warnings)")
        let first = try #require(feed.entries.first)
        #expect(first.id == sample.entryID)
        #expect(first.link == sample.entryLink)
        #expect(first.title == sample.entryTitle)
        #expect(Self.iso(first.date) == sample.entryDate)
    }

    @Test("the samples cover every format a document can be recognised as")
    func samplesCoverFormats() {
        let covered = Set(Self.samples.map(\.format))
        // rss093/rss094 and bare `rss` are version-attribute variants of the RSS 0.9x/2.0 root.
        let versionVariants: Set<FeedFormat> = [.rss093, .rss094, .rss]
        #expect(covered.union(versionVariants) == Set(FeedFormat.allCases))
    }

    @Test("RSS version attributes map to formats")
    func rssVersions() throws {
        let cases: [(String?, FeedFormat)] = [
            ("0.90", .rss090), ("0.91", .rss091), ("0.92", .rss092), ("0.93", .rss093), ("0.94", .rss094),
            ("2.0", .rss20), ("2.00", .rss20), ("2.01", .rss20), ("3.0", .rss), (nil, .rss),
        ]
        for (version, expected) in cases {
            let attribute = version.map { " version=\"\($0)\"" } ?? ""
            let feed = try Self.parse("<rss\(attribute)><channel><title>T</title><item><title>i</title></item></channel></rss>")
            #expect(feed.format == expected, "version \(version ?? "none")")
            #expect(feed.entries.first?.title == "i")
        }
    }

    @Test("RSS 2.0: dc:date is the updated date, pubDate the published one")
    func rssDates() throws {
        let feed = try Self.parse("""
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
            <item><title>a</title><dc:date>2003-12-31T10:14:55Z</dc:date></item>
            <item><title>b</title><pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate></item>
            </channel></rss>
            """)
        #expect(Self.iso(feed.entries[0].updated) == "2003-12-31T10:14:55Z")
        #expect(feed.entries[0].published == nil)
        #expect(Self.iso(feed.entries[1].published) == "2004-01-01T19:48:21Z")
    }

    // MARK: - Relative links

    @Test("xml:base on the feed and on an entry resolves relative links")
    func xmlBase() throws {
        let feed = try Self.parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/">
              <title>T</title><link href="index.html"/>
              <entry><title>one</title><id>urn:1</id><link href="2003/12/13/one"/></entry>
              <entry xml:base="http://other.example.com/x/"><title>two</title><id>urn:2</id><link href="y.html"/></entry>
              <entry><title>three</title><id>urn:3</id><link xml:base="/root/" href="z.html"/></entry>
              <entry><title>four</title><id>urn:4</id><link href="../up"/></entry>
            </feed>
            """, url: "http://ignored.example.net/feed.atom")
        #expect(feed.link == "http://example.org/blog/index.html")
        #expect(feed.entries.map(\.link) == [
            "http://example.org/blog/2003/12/13/one", "http://other.example.com/x/y.html", "http://example.org/root/z.html",
            "http://example.org/up",
        ])
    }

    @Test("a relative xml:base resolves against the document URL")
    func relativeXMLBase() throws {
        let feed = try Self.parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="blog/"><title>T</title>
              <entry><title>one</title><id>urn:1</id><link href="one.html"/></entry></feed>
            """, url: "https://example.com/feeds/atom.xml")
        #expect(feed.entries.first?.link == "https://example.com/feeds/blog/one.html")
    }

    @Test("--url (documentURL) resolves relative RSS links, enclosures and permalink guids")
    func documentURL() throws {
        let document = """
            <rss version="2.0"><channel><title>T</title><link>/</link>
            <item><title>a</title><link>posts/a.html</link><enclosure url="/media/a.mp3" type="audio/mpeg" length="12"/></item>
            <item><title>b</title><guid>/posts/b</guid></item>
            <item><title>c</title><guid isPermaLink="false">c-1</guid></item>
            <item><title>d</title><link>http://absolute.example.org/d</link></item>
            </channel></rss>
            """
        let feed = try Self.parse(document, url: "https://example.com/blog/feed.xml")
        #expect(feed.link == "https://example.com/")
        #expect(feed.entries[0].link == "https://example.com/blog/posts/a.html")
        #expect(feed.entries[0].enclosures == [Enclosure(url: "https://example.com/media/a.mp3", type: "audio/mpeg", length: 12)])
        #expect(feed.entries[1].link == "https://example.com/posts/b")
        #expect(feed.entries[1].id == "https://example.com/posts/b", "a permalink guid is a URL and is resolved")
        #expect(feed.entries[2].id == "c-1", "a guid that is not a permalink is not resolved")
        #expect(feed.entries[3].link == "http://absolute.example.org/d")

        // Without a document URL relative links stay as written.
        let bare = try Self.parse(document)
        #expect(bare.entries[0].link == "posts/a.html")
    }

    @Test("--url (documentURL) resolves relative JSON Feed item URLs")
    func documentURLJSON() throws {
        let document = #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": 7, "url": "/p/7", "title": "Seven"}]}"#
        let feed = try Self.parse(document, url: "https://example.org/feed.json")
        #expect(feed.format == .jsonFeed11)
        #expect(feed.entries.first?.link == "https://example.org/p/7")
        #expect(feed.entries.first?.id == "7", "a numeric id becomes its decimal text")
    }

    // MARK: - Text constructs

    @Test("Atom type=\"xhtml\" content: the wrapping div is dropped, the markup kept")
    func atomXHTMLContent() throws {
        let feed = try Self.parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title>x</title><id>urn:1</id>
              <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b> &amp; all</p></div></content></entry>
            </feed>
            """)
        let entry = try #require(feed.entries.first)
        #expect(entry.content == "<p>Hello <b>world</b> &amp; all</p>")
        #expect(entry.content?.contains("<div") == false)
    }

    @Test("Atom type=\"html\" titles are decoded to text; type=\"text\" titles are kept as written")
    func atomHTMLTitle() throws {
        let feed = try Self.parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &amp;lt;b&amp;gt; &amp;amp; &lt;i&gt;Feed&lt;/i&gt;</title>
            <entry><title type="html">&lt;b&gt;AT&amp;amp;T&lt;/b&gt; news &amp;eacute;t&amp;#233;</title><id>urn:1</id></entry>
            <entry><title type="text">History of the &lt;blink&gt; tag</title><id>urn:2</id></entry>
            <entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Example <b>Atom</b></div></title><id>urn:3</id></entry>
            </feed>
            """)
        #expect(feed.title == "A <b> & Feed")
        #expect(feed.entries.map(\.title) == ["AT&T news \u{E9}t\u{E9}", "History of the <blink> tag", "Example Atom"])
    }

    @Test("an RSS description keeps its HTML")
    func rssDescriptionKeepsHTML() throws {
        let feed = try Self.parse("""
            <rss version="2.0"><channel><title>T</title><item><title>a</title>
            <description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item></channel></rss>
            """)
        #expect(feed.entries.first?.summary == "<p>Hello <b>world</b></p>")
    }

    // MARK: - guid and link

    @Test("an RSS guid with isPermaLink=\"false\" is not used as the link")
    func guidNotPermalink() throws {
        let feed = try Self.parse("""
            <rss version="2.0"><channel><title>T</title>
            <item><title>a</title><guid isPermaLink="false">http://example.com/not-a-link</guid></item>
            </channel></rss>
            """)
        let entry = try #require(feed.entries.first)
        #expect(entry.id == "http://example.com/not-a-link")
        #expect(entry.link == nil)
    }

    @Test("an RSS guid is the link when there is no <link>, but never overrides one")
    func guidAsLink() throws {
        let feed = try Self.parse("""
            <rss version="2.0"><channel><title>T</title>
            <item><title>a</title><guid>http://example.com/guid-a</guid></item>
            <item><title>b</title><guid isPermaLink="true">http://example.com/guid-b</guid></item>
            <item><title>c</title><guid>http://example.com/guid-c</guid><link>http://example.com/link-c</link></item>
            <item><title>d</title><link>http://example.com/link-d</link><guid>http://example.com/guid-d</guid></item>
            </channel></rss>
            """)
        #expect(feed.entries.map(\.link) == [
            "http://example.com/guid-a", "http://example.com/guid-b", "http://example.com/link-c", "http://example.com/link-d",
        ])
        #expect(feed.entries.map(\.id) == [
            "http://example.com/guid-a", "http://example.com/guid-b", "http://example.com/guid-c", "http://example.com/guid-d",
        ])
    }
}
