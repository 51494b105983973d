import Foundation
import Testing
import TestSupport

@testable import FeedParsing

/// ``ParserLimits/maxEntries``: a document over it keeps its newest entries by date (undated
/// ones rank below dated ones, ties go to the earlier entry), in document order, with a warning.
@Suite("Entry limit keeps the newest", .ownThread(nice: 19))
struct EntryLimitTests {
    /// Items in the big documents: one over ten times the default limit.
    static let itemCount = 100_001
    static let limit = ParserLimits().maxEntries

    /// Item `n`'s date: `n` seconds after 2000-01-01T00:00:00Z, as (day, "HH:MM:SS").
    static func time(_ n: Int) -> (day: String, clock: String) {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let seconds = n % 86_400
        return (two(1 + n / 86_400), "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))")
    }

    /// RSS 2.0 with items 1…`count` in that order; dated ascending (oldest first) when `dated`.
    static func rss(items count: Int, dated: Bool) -> [UInt8] {
        var document = "<rss version=\"2.0\"><channel><title>T</title>\n"
        for n in 1...count {
            let time = time(n)
            let date = dated ? "<pubDate>\(time.day) Jan 2000 \(time.clock) GMT</pubDate>" : ""
            document += "<item><title>Item \(n)</title><guid isPermaLink=\"false\">\(n)</guid>\(date)</item>\n"
        }
        return Array((document + "</channel></rss>").utf8)
    }

    /// Atom 1.0 with entries 1…`count`, updated in ascending order (oldest first).
    static func atom(entries count: Int) -> [UInt8] {
        var document = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>\n"
        for n in 1...count {
            let time = time(n)
            document += "<entry><title>Item \(n)</title><id>\(n)</id><updated>2000-01-\(time.day)T\(time.clock)Z</updated></entry>\n"
        }
        return Array((document + "</feed>").utf8)
    }

    /// JSON Feed 1.1 with items 1…`count`, published in ascending order (oldest first).
    static func jsonFeed(items count: Int) -> [UInt8] {
        let items = (1...count).map { n in
            let time = time(n)
            return #"{"id": "\#(n)", "title": "Item \#(n)", "date_published": "2000-01-\#(time.day)T\#(time.clock)Z"}"#
        }
        return Array(#"{"version": "https://jsonfeed.org/version/1.1", "items": [\#(items.joined(separator: ",\n"))]}"#.utf8)
    }

    /// Checks a parse of 1…`itemCount` dated oldest first: the newest `limit` kept, in order.
    static func expectNewestKept(_ feed: Feed) {
        let ids = feed.entries.map { $0.id ?? "" }
        #expect(ids.count == limit)
        #expect(ids == (itemCount - limit + 1...itemCount).map(String.init), "the newest, in document order")
        #expect(ids.last == "\(itemCount)", "the newest item is kept")
        #expect(!ids.contains("1"), "the oldest item is dropped")
        #expect(
            feed.warnings.contains(
                "the document holds \(itemCount) entries: kept the newest \(limit) by date, dropped \(itemCount - limit)"))
    }

    @Test("RSS: 100,001 items oldest first keeps the newest 10,000, with a warning")
    func rssOldestFirst() throws {
        Self.expectNewestKept(try FeedParser.parse(Self.rss(items: Self.itemCount, dated: true)))
    }

    @Test("Atom: 100,001 entries oldest first keeps the newest 10,000, with a warning")
    func atomOldestFirst() throws {
        Self.expectNewestKept(try FeedParser.parse(Self.atom(entries: Self.itemCount)))
    }

    @Test("JSON Feed: 100,001 items oldest first keeps the newest 10,000, with a warning")
    func jsonFeedOldestFirst() throws {
        Self.expectNewestKept(try FeedParser.parse(Self.jsonFeed(items: Self.itemCount)))
    }

    @Test("an undated document over the limit keeps its first 10,000 in document order")
    func undatedKeepsTheFirst() throws {
        let feed = try FeedParser.parse(Self.rss(items: Self.itemCount, dated: false))
        #expect(feed.entries.map { $0.id ?? "" } == (1...Self.limit).map(String.init))
        #expect(
            feed.warnings.contains(
                "the document holds \(Self.itemCount) entries: kept the first \(Self.limit) (none is dated), "
                    + "dropped \(Self.itemCount - Self.limit)"))
    }

    /// A small document: `(id, date)` per item, `date` an RFC 822 day of January 2000 or nil.
    static func rss(_ items: [(id: String, day: Int?)]) -> [UInt8] {
        let body = items.map { item in
            let date = item.day.map { "<pubDate>\($0) Jan 2000 00:00:00 GMT</pubDate>" } ?? ""
            return "<item><guid isPermaLink=\"false\">\(item.id)</guid>\(date)</item>"
        }
        return Array("<rss version=\"2.0\"><channel><title>T</title>\(body.joined())</channel></rss>".utf8)
    }

    static func json(_ items: [(id: String, day: Int?)]) -> [UInt8] {
        let body = items.map { item in
            let date = item.day.map { #", "date_published": "2000-01-\#($0 < 10 ? "0" : "")\#($0)T00:00:00Z""# } ?? ""
            return #"{"id": "\#(item.id)"\#(date)}"#
        }
        return Array(#"{"version": "https://jsonfeed.org/version/1.1", "items": [\#(body.joined(separator: ","))]}"#.utf8)
    }

    static let three = ParserOptions(limits: ParserLimits(maxEntries: 3))

    @Test("mixed: undated entries rank below dated ones; the kept stay in document order")
    func mixedDatedAndUndated() throws {
        let items: [(id: String, day: Int?)] = [("a", nil), ("b", 5), ("c", nil), ("d", 1), ("e", 3), ("f", nil)]
        for document in [Self.rss(items), Self.json(items)] {
            let feed = try FeedParser.parse(document, options: Self.three)
            #expect(feed.entries.map(\.id) == ["b", "d", "e"])
            #expect(feed.warnings.contains("the document holds 6 entries: kept the newest 3 by date, dropped 3"))
        }
        // Fewer dated entries than the limit: all of them, then the first undated ones.
        let few: [(id: String, day: Int?)] = [("a", nil), ("b", nil), ("c", 2), ("d", nil), ("e", 1)]
        for document in [Self.rss(few), Self.json(few)] {
            #expect(try FeedParser.parse(document, options: Self.three).entries.map(\.id) == ["a", "c", "e"])
        }
    }

    @Test("ties on the date go to the earlier entry; newest first keeps the first")
    func tiesAndNewestFirst() throws {
        let ties: [(id: String, day: Int?)] = [("a", 1), ("b", 2), ("c", 2), ("d", 2), ("e", 2)]
        let newestFirst: [(id: String, day: Int?)] = [("a", 9), ("b", 8), ("c", 7), ("d", 6), ("e", 5)]
        for document in [Self.rss(ties), Self.json(ties)] {
            #expect(try FeedParser.parse(document, options: Self.three).entries.map(\.id) == ["b", "c", "d"])
        }
        for document in [Self.rss(newestFirst), Self.json(newestFirst)] {
            #expect(try FeedParser.parse(document, options: Self.three).entries.map(\.id) == ["a", "b", "c"])
        }
    }

    @Test("at the limit exactly nothing is dropped and nothing is said; a limit of 0 keeps nothing")
    func edges() throws {
        let items: [(id: String, day: Int?)] = [("a", 3), ("b", 1), ("c", 2)]
        for document in [Self.rss(items), Self.json(items)] {
            let feed = try FeedParser.parse(document, options: Self.three)
            #expect(feed.entries.map(\.id) == ["a", "b", "c"])
            #expect(feed.warnings.isEmpty)
            let none = try FeedParser.parse(document, options: ParserOptions(limits: ParserLimits(maxEntries: 0)))
            #expect(none.entries.isEmpty)
            #expect(none.warnings.contains("the document holds 3 entries: kept the newest 0 by date, dropped 3"))
        }
    }

    @Test("a truncated document over the limit still keeps the newest complete entries")
    func truncatedOverTheLimit() throws {
        var document = Self.rss([("a", 1), ("b", 4), ("c", 2), ("d", 3), ("e", 5)])
        document.removeLast(Array("</item></channel></rss>".utf8).count)  // cuts "e" open
        let feed = try FeedParser.parse(document, options: Self.three)
        #expect(feed.entries.map(\.id) == ["b", "c", "d"])
    }
}
