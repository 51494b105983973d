import Foundation
import Testing

@testable import FeedParsing

@Suite("JSONFeed parser")
struct JSONFeedParserTests {
    static func parse(_ json: String, options: ParserOptions = ParserOptions()) throws(FeedParsingError) -> Feed {
        try JSONFeedParser.parse(Array(json.utf8), options: options)
    }

    static func failure(_ json: String, options: ParserOptions = ParserOptions()) -> FeedParsingError? {
        do {
            _ = try parse(json, options: options)
            return nil
        } catch {
            return error
        }
    }

    static let version10 = """
        {
          "version": "https://jsonfeed.org/version/1",
          "title": "  My Example Feed ",
          "home_page_url": "https://example.org/",
          "feed_url": "https://example.org/feed.json",
          "description": "A feed",
          "author": {"name": "Feed Author", "url": "https://example.org/me"},
          "items": [
            {
              "id": "2",
              "url": "https://example.org/second-item",
              "external_url": "https://elsewhere.example/linked",
              "title": "Second",
              "content_html": "<p>Hello, <b>world</b>!</p>",
              "content_text": "Hello, world!",
              "summary": "A summary",
              "image": "https://example.org/image.png",
              "date_published": "2024-01-02T03:04:05Z",
              "date_modified": "2024-01-03T00:00:00+02:00",
              "author": {"name": "Item Author"},
              "tags": ["swift", "feeds"],
              "attachments": [
                {"url": "https://example.org/ep.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 12345678,
                 "title": "Episode", "duration_in_seconds": 60}
              ]
            },
            {
              "id": "1",
              "content_text": "This is a plain-text item.",
              "url": "https://example.org/initial-post"
            }
          ]
        }
        """

    @Test func version10EveryField() throws {
        let feed = try Self.parse(Self.version10)
        #expect(feed.format == .jsonFeed10)
        #expect(feed.title == "My Example Feed")
        #expect(feed.link == "https://example.org/")
        #expect(feed.warnings.isEmpty)
        #expect(feed.entries.count == 2)

        let first = feed.entries[0]
        #expect(first.id == "2")
        #expect(first.link == "https://example.org/second-item")  // url, never external_url
        #expect(first.title == "Second")
        #expect(first.content == "<p>Hello, <b>world</b>!</p>")  // content_html preferred
        #expect(first.summary == "A summary")
        #expect(first.published == FeedDate.parse("2024-01-02T03:04:05Z"))
        #expect(first.updated == FeedDate.parse("2024-01-03T00:00:00+02:00"))
        #expect(first.authors == ["Item Author"])
        #expect(first.categories == ["swift", "feeds"])
        #expect(first.enclosures == [Enclosure(url: "https://example.org/ep.mp3", type: "audio/mpeg", length: 12_345_678)])
        #expect(first.key == 0)  // keys are the caller's job (FeedParser.parse)

        let second = feed.entries[1]
        #expect(second.id == "1")
        #expect(second.content == "This is a plain-text item.")
        #expect(second.title == nil)
        #expect(second.authors == ["Feed Author"])  // inherited from the feed
    }

    static let version11 = """
        {
          "version": "https://jsonfeed.org/version/1.1",
          "title": "Podcast",
          "home_page_url": "/",
          "feed_url": "https://podcast.example/feed.json",
          "language": "en-GB",
          "authors": [{"name": "Host One"}, {"url": "mailto:two@podcast.example?subject=hi"}, {"avatar": "x.png"}],
          "items": [
            {
              "id": "https://podcast.example/ep/1",
              "url": "ep/1",
              "title": "Episode 1",
              "content_text": "Notes",
              "summary": "Short",
              "date_published": "2024-05-06T07:08:09-05:00",
              "date_modified": "2024-05-07T07:08:09-05:00",
              "authors": [{"name": "Guest"}, {"name": "Host One"}],
              "tags": ["audio"],
              "language": "en-GB",
              "attachments": [
                {"url": "/media/ep1.m4a", "mime_type": "audio/x-m4a", "size_in_bytes": 89970236},
                {"url": "https://cdn.example/ep1.mp3", "mime_type": "audio/mpeg"}
              ]
            },
            {"id": "https://podcast.example/ep/2", "url": "https://podcast.example/ep/2", "content_html": "<p>Two</p>"}
          ]
        }
        """

    @Test func version11EveryField() throws {
        let feed = try Self.parse(Self.version11, options: ParserOptions(documentURL: "https://mirror.example/p.json"))
        #expect(feed.format == .jsonFeed11)
        #expect(feed.title == "Podcast")
        #expect(feed.link == "https://podcast.example/")  // against feed_url, not the document URL
        #expect(feed.warnings.isEmpty)

        let first = feed.entries[0]
        #expect(first.id == "https://podcast.example/ep/1")
        #expect(first.link == "https://podcast.example/ep/1")
        #expect(first.content == "Notes")
        #expect(first.summary == "Short")
        #expect(first.published == FeedDate.parse("2024-05-06T07:08:09-05:00"))
        #expect(first.updated == FeedDate.parse("2024-05-07T07:08:09-05:00"))
        #expect(first.authors == ["Guest", "Host One"])
        #expect(first.categories == ["audio"])
        #expect(first.enclosures == [
            Enclosure(url: "https://podcast.example/media/ep1.m4a", type: "audio/x-m4a", length: 89_970_236),
            Enclosure(url: "https://cdn.example/ep1.mp3", type: "audio/mpeg", length: nil),
        ])
        // Feed authors: a name, then the address of a mailto: URL; one with neither is skipped.
        #expect(feed.entries[1].authors == ["Host One", "two@podcast.example"])
        #expect(feed.entries[1].content == "<p>Two</p>")
    }

    @Test func wrongTypesLoseOnlyTheirField() throws {
        let json = """
            {"version": "https://jsonfeed.org/version/1.1", "title": 2024, "home_page_url": ["x"],
             "items": [
               {"id": {"a": 1}, "url": 5, "title": true, "summary": null, "content_html": ["no"],
                "content_text": "kept", "date_published": 17, "tags": [1, "a", null, {}, " b "],
                "authors": "Jane Doe", "attachments": "nope"},
               "not an item", 42, null,
               {"id": "ok", "tags": "single", "author": ["x"],
                "attachments": [{"url": 3}, {"mime_type": "audio/mpeg"}, 7,
                                {"url": "https://e.example/a", "mime_type": 5, "size_in_bytes": "1024"},
                                {"url": "https://e.example/b", "size_in_bytes": -1},
                                {"url": "https://e.example/c", "size_in_bytes": 1.5},
                                {"url": "https://e.example/d", "size_in_bytes": true}]}
             ]}
            """
        let feed = try Self.parse(json)
        #expect(feed.title == "2024")
        #expect(feed.link == nil)
        #expect(feed.entries.count == 2)

        let first = feed.entries[0]
        #expect(first.id == nil)
        #expect(first.link == nil)
        #expect(first.title == nil)
        #expect(first.summary == nil)
        #expect(first.content == "kept")
        #expect(first.published == nil)
        #expect(first.categories == ["1", "a", "b"])
        #expect(first.authors == [])  // a bare string where an array belongs
        #expect(first.enclosures == [])

        let second = feed.entries[1]
        #expect(second.id == "ok")
        #expect(second.categories == ["single"])
        #expect(second.authors == [])
        #expect(second.enclosures == [
            Enclosure(url: "https://e.example/a", type: nil, length: 1024),
            Enclosure(url: "https://e.example/b"),
            Enclosure(url: "https://e.example/c"),
            Enclosure(url: "https://e.example/d"),
        ])
        #expect(feed.warnings.contains { $0.hasPrefix("3 item(s) in \"items\" were not JSON objects") })
        #expect(feed.warnings.contains { $0.contains("unexpected JSON type") && $0.contains("home_page_url") })
    }

    @Test func singularAuthorAsAString() throws {
        let json = #"{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "author": " Jane "}]}"#
        #expect(try Self.parse(json).entries[0].authors == ["Jane"])
    }

    @Test(arguments: [
        (#"42"#, "42"), (#"-7"#, "-7"), (#"1.0"#, "1.0"), (#"1.5"#, "1.5"), (#"1e16"#, "1e+16"),
        (#"9999999999999998.0"#, "9999999999999998.0"), (#"12345678901234567890"#, "12345678901234567890"),
        (#"true"#, "true"), (#"false"#, "false"), (#"" abc ""#, "abc"), (#""""#, nil), (#"null"#, nil),
    ] as [(String, String?)])
    func idsBecomeStrings(literal: String, expected: String?) throws {
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": \#(literal)}]}"#
        #expect(try Self.parse(json).entries[0].id == expected)
    }

    @Test func relativeURLsAgainstTheDocumentURL() throws {
        let json = """
            {"version": "https://jsonfeed.org/version/1.1", "home_page_url": "../",
             "items": [{"id": "1", "url": "/posts/1", "attachments": [{"url": "a.mp3"}]},
                       {"id": "2", "url": "post2?x=1#y"}, {"id": "3", "url": "  "},
                       {"id": "4", "url": "javascript:alert(1)"}]}
            """
        let feed = try Self.parse(json, options: ParserOptions(documentURL: "https://example.com/feeds/main.json"))
        #expect(feed.link == "https://example.com/")
        #expect(feed.entries.map(\.link) == [
            "https://example.com/posts/1", "https://example.com/feeds/post2?x=1#y", nil, "javascript:alert(1)",
        ])
        #expect(feed.entries[0].enclosures.map(\.url) == ["https://example.com/feeds/a.mp3"])
    }

    @Test func feedURLAsTheBase() throws {
        func link(feedURL: String, documentURL: String?) throws -> String? {
            let json = #"{"version": "https://jsonfeed.org/version/1", "feed_url": "\#(feedURL)", "items": [{"url": "p/1"}]}"#
            return try Self.parse(json, options: ParserOptions(documentURL: documentURL)).entries[0].link
        }
        #expect(try link(feedURL: "https://blog.example/feed.json", documentURL: "https://cdn.example/x/y.json") == "https://blog.example/p/1")
        #expect(try link(feedURL: "/blog/feed.json", documentURL: "https://example.com/a/b.json") == "https://example.com/blog/p/1")
        #expect(try link(feedURL: "javascript:x", documentURL: "https://example.com/a/b.json") == "https://example.com/a/p/1")
        #expect(try link(feedURL: "feed.json", documentURL: nil) == "p/1")  // no absolute base at all
        #expect(try link(feedURL: "https://blog.example/feed.json", documentURL: nil) == "https://blog.example/p/1")
    }

    @Test func limits() throws {
        let items = (1...5).map { #"{"id": "\#($0)"}"# }.joined(separator: ",")
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "items": [\#(items), {"id": "\#(String(repeating: "x", count: 40))"}]}"#
        let feed = try Self.parse(json, options: ParserOptions(limits: ParserLimits(maxEntries: 3)))
        #expect(feed.entries.map(\.id) == ["1", "2", "3"])
        #expect(feed.warnings == ["the document holds 6 entries: kept the first 3 (none is dated), dropped 3"])

        let short = try Self.parse(json, options: ParserOptions(limits: ParserLimits(maxIdentifierBytes: 10)))
        #expect(short.entries.count == 6)
        #expect(short.entries[5].id == nil)
        #expect(short.warnings == ["1 id(s) longer than 10 bytes were treated as missing (first in items[5])"])
    }

    @Test("a lone high surrogate escape reads as U+FFFD; the other items are kept")
    func loneHighSurrogate() throws {
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "a\ud800b"}, {"id": "2", "title": "good"}]}"#
        let feed = try Self.parse(json)
        #expect(feed.entries.map(\.id) == ["1", "2"])
        #expect(feed.entries[0].title == "a\u{FFFD}b")
        #expect(feed.entries[1].title == "good")
        #expect(feed.warnings == ["1 lone UTF-16 surrogate escape(s) read as U+FFFD"])
    }

    @Test(
        "lone surrogate escapes read as U+FFFD, pairs and escaped backslashes are left alone",
        arguments: [
            (#"a\udc00b"#, "a\u{FFFD}b"),  // a lone low surrogate
            (#"a\ud800\u0041"#, "a\u{FFFD}A"),  // a high surrogate, then a non-surrogate escape
            (#"\uD800\uD83D\uDE00"#, "\u{FFFD}😀"),  // a high surrogate, then a pair
            (#"\ude00\ud83d"#, "\u{FFFD}\u{FFFD}"),  // a pair in the wrong order
            (#"x\ud800"#, "x\u{FFFD}"),  // at the end of the string
            (#"\ud83d\ude00"#, "😀"),  // a proper pair
            (#"\\ud800"#, #"\ud800"#),  // an escaped backslash, then plain text
        ])
    func loneSurrogates(written: String, expected: String) throws {
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "\#(written)"}, {"id": "2"}]}"#
        let feed = try Self.parse(json)
        #expect(feed.entries.count == 2)
        #expect(feed.entries[0].title == expected)
    }

    @Test func unknownLaterVersionReadsAs11() throws {
        let feed = try Self.parse(#"{"version": " https://jsonfeed.org/version/2 ", "items": []}"#)
        #expect(feed.format == .jsonFeed11)
        #expect(feed.entries.isEmpty)
        #expect(feed.warnings == [#"unknown JSON Feed version "2", read as 1.1"#])
    }

    @Test(arguments: [
        #"{"version": "https://jsonfeed.org/version/1"}"#,
        #"{"version": "https://jsonfeed.org/version/1", "items": {"id": "1"}}"#,
        #"{"version": "https://jsonfeed.org/version/1", "items": null}"#,
        #"{"items": []}"#,
        #"{"version": 1, "items": []}"#,
        #"{"version": "http://example.com/version/1", "items": []}"#,
        #"{"version": "ftp://jsonfeed.org/version/1", "items": []}"#,
        #"{"version": "http://jsonfeed.org.example.com/version/1", "items": []}"#,
        #"[{"version": "https://jsonfeed.org/version/1", "items": []}]"#,
        #""just a string""#,
        #"{}"#,
    ])
    func notAFeed(json: String) {
        guard case .notAFeed(let reason)? = Self.failure(json) else {
            Issue.record("expected notAFeed for \(json)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test("a version URL over plain http (common in the wild) is accepted, 1 and 1.1")
    func plainHTTPVersionURL() throws {
        let ten = try Self.parse(#"{"version": "http://jsonfeed.org/version/1", "items": [{"id": "1", "url": "https://e.example/1"}]}"#)
        #expect(ten.format == .jsonFeed10)
        #expect(ten.entries.count == 1)
        let eleven = try Self.parse(#"{"version": "http://jsonfeed.org/version/1.1", "items": []}"#)
        #expect(eleven.format == .jsonFeed11)
        #expect(eleven.warnings.isEmpty)
    }

    @Test func invalidJSONReportsItsLine() {
        let json = "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n  \"items\": [ x ]\n}"
        guard case .malformed(let line, let message)? = Self.failure(json) else {
            Issue.record("expected malformed")
            return
        }
        #expect(line == 3)
        #expect(message.hasPrefix("invalid JSON"))
    }

    @Test func truncatedJSONPointsAtTheLastLine() {
        guard case .malformed(let line, _)? = Self.failure("{\n\"version\": \"https://jsonfeed.org/version/1\",\n\"items\": [") else {
            Issue.record("expected malformed")
            return
        }
        #expect(line == 3)
    }

    @Test func otherRefusals() {
        #expect(Self.failure("  \n ") == .empty)
        #expect(Self.failure("{}", options: ParserOptions(limits: ParserLimits(maxDocumentBytes: 1))) == .documentTooLarge(bytes: 2, limit: 1))
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        guard case .nestingTooDeep? = Self.failure(#"{"a": \#(deep)}"#) else {
            Issue.record("expected nestingTooDeep")
            return
        }
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1"}]}"#.utf8)
        #expect(try JSONFeedParser.parse(bytes, options: ParserOptions()).entries.map(\.id) == ["1"])
    }
}
