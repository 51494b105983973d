import Foundation
import Testing

import FeedParsing

/// Pins the dedup identity rule of `EntryIdentity` (see Sources/FeedParsing/EntryIdentity.swift).
///
/// The hex keys below are the contract: a subscriber's "seen" set holds them, so a change to
/// any of them re-announces every entry of every feed. They were computed when this test was
/// written, with both `EntryIdentity.key(of:)` and an independent XXH3-64 implementation
/// (python-xxhash 3.x, `xxh3_64_hexdigest(identity.encode("utf-8"))`), which agreed.
/// Never update a vector to make this test pass: fix the code instead.
@Suite("EntryIdentity")
struct EntryIdentityTests {
    /// 2024-01-02T03:04:05Z.
    static let date2024 = Date(timeIntervalSince1970: 1_704_164_645)
    /// 2023-12-31T23:59:59Z.
    static let date2023 = Date(timeIntervalSince1970: 1_704_067_199)

    /// `entries` with their identities and keys assigned, as the parser does per document.
    static func keyed(_ entries: [Entry]) -> [Entry] {
        var entries = entries
        EntryIdentity.assignKeys(&entries)
        return entries
    }

    static func keyed(_ entry: Entry) -> Entry { keyed([entry])[0] }

    // MARK: - XXH3-64 itself

    @Test("XXH3-64 of the empty input, seed 0, is the published 0x2D06800538D394C2")
    func emptyInputVector() {
        #expect(EntryIdentity.key(of: "") == 0x2D06_8005_38D3_94C2)
        #expect(EntryIdentity.hex(EntryIdentity.key(of: "")) == "2d06800538d394c2")
    }

    @Test("hex is 16 lower-case digits, zero-padded")
    func hexFormatting() {
        #expect(EntryIdentity.hex(0) == "0000000000000000")
        #expect(EntryIdentity.hex(0xAB) == "00000000000000ab")
        #expect(EntryIdentity.hex(UInt64.max) == "ffffffffffffffff")
    }

    /// Identity strings and their keys: the hash half of the contract.
    static let keyVectors: [(identity: String, hex: String)] = [
        ("", "2d06800538d394c2"),
        ("id:tag:example.com,2024:post-1", "f50a690ca14b42b6"),
        ("id:http://example.com/posts/1", "06ad48d7dc3e6c9d"),
        ("link:http://example.com/posts/1", "c81da427c5b7c13d"),
        ("title:Hello, world\n2024-01-02T03:04:05Z", "57a4d94da4235cb9"),
        ("title:Hello, world\n", "412525c89913658b"),
        ("title:Caf\u{E9} \u{2615}\n2023-12-31T23:59:59Z", "e7daea443496a8b6"),
        ("content:<p>Body</p>", "b495f95631c3d675"),
        ("content:Only a summary", "f09221724174672e"),
        ("content:", "6b4a381f495f6943"),
        ("id:same-guid\u{1F}link:http://example.com/a", "9c555935988ce015"),
        ("id:same-guid\u{1F}link:http://example.com/b", "6fa357cf5f2b21b3"),
        ("id:http://Example.com/Path", "5e395eac6b8ece07"),
        ("id:x", "e970183a9a019a0d"),
    ]

    @Test("identity strings hash to the pinned XXH3-64 keys")
    func pinnedKeys() {
        for vector in Self.keyVectors {
            #expect(EntryIdentity.hex(EntryIdentity.key(of: vector.identity)) == vector.hex, "\(vector.identity.debugDescription)")
        }
        // All distinct: no two vectors collide.
        #expect(Set(Self.keyVectors.map(\.hex)).count == Self.keyVectors.count)
    }

    /// The key the vectors pin for `identity` (the test fails if it is not a vector).
    static func pinnedKey(_ identity: String) -> UInt64? {
        guard let vector = keyVectors.first(where: { $0.identity == identity }) else { return nil }
        return UInt64(vector.hex, radix: 16)
    }

    /// Checks that `entry`, keyed alone, gets `identity` and the pinned key for it.
    static func expectIdentity(_ entry: Entry, _ identity: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let keyedEntry = keyed(entry)
        #expect(keyedEntry.identity == identity, sourceLocation: sourceLocation)
        #expect(EntryIdentity.baseIdentity(entry) == identity, sourceLocation: sourceLocation)
        #expect(pinnedKey(identity) != nil, "no pinned vector for \(identity.debugDescription)", sourceLocation: sourceLocation)
        #expect(keyedEntry.key == pinnedKey(identity), sourceLocation: sourceLocation)
    }

    // MARK: - Rule 1: the base identity

    @Test("id: form — the id wins over link, title and content")
    func idForm() {
        let entry = Entry(
            id: "tag:example.com,2024:post-1", link: "http://example.com/posts/1", title: "Hello, world",
            content: "<p>Body</p>", published: Self.date2024)
        Self.expectIdentity(entry, "id:tag:example.com,2024:post-1")
    }

    @Test("link: form — no id")
    func linkForm() {
        let entry = Entry(link: "http://example.com/posts/1", title: "Hello, world", published: Self.date2024)
        Self.expectIdentity(entry, "link:http://example.com/posts/1")
    }

    @Test("title: form — title, newline, published date as YYYY-MM-DDTHH:MM:SSZ")
    func titleAndDateForm() {
        Self.expectIdentity(Entry(title: "Hello, world", content: "ignored", published: Self.date2024), "title:Hello, world\n2024-01-02T03:04:05Z")
        // Published wins over updated; updated is used when there is no published.
        Self.expectIdentity(
            Entry(title: "Hello, world", published: Self.date2024, updated: Self.date2023), "title:Hello, world\n2024-01-02T03:04:05Z")
        Self.expectIdentity(Entry(title: "Caf\u{E9} \u{2615}", updated: Self.date2023), "title:Caf\u{E9} \u{2615}\n2023-12-31T23:59:59Z")
        // Undated: the date part is empty, the newline stays.
        Self.expectIdentity(Entry(title: "Hello, world"), "title:Hello, world\n")
    }

    @Test("content: form — content, else summary, else empty")
    func contentForm() {
        Self.expectIdentity(Entry(summary: "Only a summary", content: "<p>Body</p>"), "content:<p>Body</p>")
        Self.expectIdentity(Entry(summary: "Only a summary"), "content:Only a summary")
        Self.expectIdentity(Entry(), "content:")
        // Blank id, link and title count as missing.
        Self.expectIdentity(Entry(id: "  ", link: "\n", title: "\t", content: "<p>Body</p>"), "content:<p>Body</p>")
    }

    @Test("https:// ids and links are read as http:// (any case of the scheme)")
    func httpsFolding() {
        let plain = Self.keyed(Entry(id: "http://example.com/posts/1"))
        let secure = Self.keyed(Entry(id: "https://example.com/posts/1"))
        let shouting = Self.keyed(Entry(id: "HTTPS://example.com/posts/1"))
        #expect(plain.identity == "id:http://example.com/posts/1")
        #expect(secure.identity == plain.identity)
        #expect(shouting.identity == plain.identity)
        #expect(secure.key == plain.key && shouting.key == plain.key)
        #expect(plain.key == Self.pinnedKey("id:http://example.com/posts/1"))

        let httpLink = Self.keyed(Entry(link: "http://example.com/posts/1"))
        let httpsLink = Self.keyed(Entry(link: "https://example.com/posts/1"))
        #expect(httpsLink.identity == "link:http://example.com/posts/1")
        #expect(httpsLink.key == httpLink.key)
        #expect(httpsLink.key == Self.pinnedKey("link:http://example.com/posts/1"))

        // Only the scheme is folded; host and path keep their case.
        Self.expectIdentity(Entry(id: "Https://Example.com/Path"), "id:http://Example.com/Path")
        // Not a scheme prefix: left alone.
        #expect(Self.keyed(Entry(id: "httpsx://example.com/")).identity == "id:httpsx://example.com/")
        #expect(Self.keyed(Entry(id: "ftp://example.com/")).identity == "id:ftp://example.com/")
    }

    @Test("white space around an id does not change the key")
    func whitespaceAroundID() {
        let bare = Self.keyed(Entry(id: "x"))
        for padded in [" x", "x ", "\n\tx\r\n", "\u{A0}x\u{2003}"] {
            let entry = Self.keyed(Entry(id: padded))
            #expect(entry.identity == "id:x", "\(padded.debugDescription)")
            #expect(entry.key == bare.key, "\(padded.debugDescription)")
        }
        #expect(bare.key == Self.pinnedKey("id:x"))
        // The same holds for a link and a title.
        #expect(Self.keyed(Entry(link: "  http://example.com/posts/1\n")).identity == "link:http://example.com/posts/1")
        #expect(Self.keyed(Entry(title: " Hello, world ")).identity == "title:Hello, world\n")
    }

    // MARK: - Rule 2: one GUID, different links

    @Test("entries sharing one GUID with different links get different keys (\\u{1F}link: suffix)")
    func sharedGUIDDifferentLinks() {
        let entries = Self.keyed([
            Entry(id: "same-guid", link: "http://example.com/a", title: "A"),
            Entry(id: "same-guid", link: "https://example.com/b", title: "B"),
            Entry(id: "other", link: "http://example.com/c"),
        ])
        #expect(entries[0].identity == "id:same-guid\u{1F}link:http://example.com/a")
        #expect(entries[1].identity == "id:same-guid\u{1F}link:http://example.com/b", "the suffix link is https-folded too")
        #expect(entries[0].key == Self.pinnedKey(entries[0].identity))
        #expect(entries[1].key == Self.pinnedKey(entries[1].identity))
        #expect(entries[0].key != entries[1].key)
        // An entry whose id is not shared keeps the plain form.
        #expect(entries[2].identity == "id:other")
        // Alone in its document, the same entry has no suffix.
        #expect(Self.keyed(Entry(id: "same-guid", link: "http://example.com/a")).identity == "id:same-guid")
    }

    @Test("entries sharing one GUID and the same link stay unsuffixed")
    func sharedGUIDSameLink() {
        let entries = Self.keyed([
            Entry(id: "same-guid", link: "http://example.com/a", title: "first"),
            Entry(id: "same-guid", link: "http://example.com/a", title: "second"),
        ])
        #expect(entries.map(\.identity) == ["id:same-guid", "id:same-guid"])
        #expect(entries[0].key == entries[1].key)
    }

    @Test("identical entries get identical keys, in one document or across documents")
    func identicalEntries() {
        let entry = Entry(id: "x", link: "http://example.com/1", title: "T", published: Self.date2024)
        let together = Self.keyed([entry, entry])
        #expect(together[0].identity == "id:x" && together[1].identity == "id:x")
        #expect(together[0].key == together[1].key)
        #expect(together[0].key == Self.keyed(entry).key, "the key does not depend on the other entries")
        #expect(together[0].key == Self.pinnedKey("id:x"))

        let untitled = Self.keyed([Entry(title: "Hello, world", published: Self.date2024), Entry(title: "Hello, world", published: Self.date2024)])
        #expect(untitled[0].key == untitled[1].key)
        #expect(untitled[0].key == Self.pinnedKey("title:Hello, world\n2024-01-02T03:04:05Z"))
    }

    @Test("parsed entries get the same keys as hand-built ones")
    func parsedEntriesFollowTheRule() throws {
        let document = """
            <rss version="2.0"><channel><title>T</title>
            <item><guid isPermaLink="false">  tag:example.com,2024:post-1  </guid><link>http://example.com/posts/1</link></item>
            <item><link>https://example.com/posts/1</link><title>no id</title></item>
            <item><title>Hello, world</title><pubDate>Tue, 02 Jan 2024 03:04:05 GMT</pubDate></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Array(document.utf8))
        try #require(feed.entries.count == 3)
        #expect(feed.entries[0].identity == "id:tag:example.com,2024:post-1")
        #expect(feed.entries[0].key == Self.pinnedKey("id:tag:example.com,2024:post-1"))
        #expect(feed.entries[1].identity == "link:http://example.com/posts/1")
        #expect(feed.entries[1].key == Self.pinnedKey("link:http://example.com/posts/1"))
        #expect(feed.entries[2].identity == "title:Hello, world\n2024-01-02T03:04:05Z")
        #expect(feed.entries[2].key == Self.pinnedKey("title:Hello, world\n2024-01-02T03:04:05Z"))
    }

    @Test("keys do not depend on the URL the feed was fetched from (relative guids and links)")
    func keysIndependentOfDocumentURL() throws {
        let document = Array("""
            <rss version="2.0"><channel>
            <item><guid>12345</guid></item>
            <item><link>/posts/2</link></item>
            </channel></rss>
            """.utf8)
        var keys: [[UInt64]] = []
        for url in ["https://example.com/feed", "https://example.com/rss/", "http://feeds.example.net/x"] {
            let feed = try FeedParser.parse(document, options: ParserOptions(documentURL: url))
            keys.append(feed.entries.map(\.key))
            #expect(feed.entries[0].id?.hasSuffix("12345") == true)  // output stays resolved
        }
        #expect(keys.count == 3 && Set(keys.map { $0.description }).count == 1)
        let feed = try FeedParser.parse(document, options: ParserOptions(documentURL: "https://example.com/feed"))
        #expect(feed.entries[0].identity == "id:12345")
        #expect(feed.entries[1].identity == "link:/posts/2")
    }
}
