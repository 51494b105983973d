import Delivery
import FeedParsing
import Foundation
import Testing

/// A batch holds its entries' JSON in one buffer, one object a line: what the stdout sink
/// writes as it is, and what the network sinks read entry by entry.
@Suite("SinkBatch")
struct SinkBatchTests {
    @Test("entries given as JSON: lines joined by line feeds, and each entry read back as given")
    func fromJSON() {
        let entries = [#"{"id":"a"}"#, #"{"id":"b\nc"}"#, "{}"].map { Array($0.utf8) }
        let batch = SinkBatch(feed: 7, entries: entries)
        #expect(batch.count == 3)
        #expect(batch.lines == Array("{\"id\":\"a\"}\n{\"id\":\"b\\nc\"}\n{}\n".utf8))
        var seen: [[UInt8]] = []
        batch.forEachEntry { seen.append(Array($0)) }
        #expect(seen == entries)
        let empty = SinkBatch(feed: 7, entries: [[UInt8]]())
        #expect(empty.count == 0 && empty.lines.isEmpty)
        empty.forEachEntry { _ in Issue.record("an empty batch has no entry") }
    }

    @Test("entries of a parsed feed: one JSON object a line, with the feed's id, in document order")
    func fromEntries() throws {
        let document = """
            <rss version="2.0"><channel><title>T</title>
            <item><guid>1</guid><title>one "quoted"</title><description>&lt;p&gt;a&lt;/p&gt;</description></item>
            <item><guid>2</guid><title>two</title></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Array(document.utf8))
        let batch = SinkBatch(feed: 42, entries: feed.entries)
        #expect(batch.count == 2)
        let lines = String(decoding: batch.lines, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.last == "")
        var ids: [String] = []
        batch.forEachEntry { entry in
            let object = try? JSONSerialization.jsonObject(with: Data(entry)) as? [String: Any]
            #expect(object?["feed"] as? Int == 42)
            ids.append(object?["id"] as? String ?? "?")
        }
        #expect(ids == ["1", "2"])
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["title"] as? String == #"one "quoted""#)
        #expect(first["summary"] as? String == "<p>a</p>")
    }
}
