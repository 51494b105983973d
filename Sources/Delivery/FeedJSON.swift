import Foundation
import JSONOutput
import FeedParsing

/// The JSON shapes that `hubdiffer parse` prints and that sinks send: one schema everywhere.
public enum FeedJSON {
    /// `{"format","title","link","entries":[…],"warnings":[…]}` for a parsed document.
    public static func document(_ feed: Feed, file: String? = nil) -> String {
        var json = JSONWriter()
        json.beginObject()
        if let file { json.field("file", file) }
        json.field("format", feed.format.rawValue)
        json.field("title", feed.title)
        json.field("link", feed.link)
        json.key("entries")
        json.beginArray()
        feed.entries.forEachInPlace { write($0, feedID: nil, into: &json) }
        json.endArray()
        json.field("warnings", strings: feed.warnings)
        json.endObject()
        return json.output
    }

    /// `entries` as JSON objects (`feed` when given, `key`, `id`, `link`, `title`, `summary`,
    /// `content`, `authors`, `categories`, `enclosures`, `published`, `updated`), UTF-8, each
    /// followed by a line feed, in one buffer; and the offset of each line feed.
    public static func lines(_ entries: [Entry], feedID: Int64?) -> (lines: [UInt8], lineEnds: [Int]) {
        var json = JSONWriter(reservingCapacity: estimatedBytes(entries))
        var lineEnds: [Int] = []
        lineEnds.reserveCapacity(entries.count)
        entries.forEachInPlace { entry in
            write(entry, feedID: feedID, into: &json)
            lineEnds.append(json.bytes.count)
            json.lineFeed()
        }
        return (json.bytes, lineEnds)  // the writer ends here: its buffer is handed over, not copied
    }

    /// Room for the JSON of `entries` at once, so the buffer is not copied as it grows: their
    /// long text (a summary that is the content counts twice, as it is written twice), a tenth
    /// more for escapes (HTML's quotes and line ends), and 512 bytes an entry for the rest.
    private static func estimatedBytes(_ entries: [Entry]) -> Int {
        var text = 0
        entries.forEachInPlace { entry in
            text += (entry.pointee.summaryText?.utf8Count ?? 0) + (entry.pointee.contentText?.utf8Count ?? 0)
        }
        return text + text / 10 + 512 * entries.count + 64
    }

    private static func write(_ entry: UnsafePointer<Entry>, feedID: Int64?, into json: inout JSONWriter) {
        json.beginObject()
        if let feedID {
            json.key("feed")
            json.integer(feedID)
        }
        json.field("key", EntryIdentity.hex(entry.pointee.key))
        json.field("id", entry.pointee.id)
        json.field("link", entry.pointee.link)
        json.field("title", entry.pointee.title)
        json.key("summary")
        let summaryStart = json.bytes.count
        field(entry.pointee.summaryText, into: &json)
        let summaryValue = summaryStart..<json.bytes.count
        json.key("content")
        if let summary = entry.pointee.summaryText, let content = entry.pointee.contentText, content.isSameStorage(as: summary) {
            // A summary that is the content (Atom with content only): escaped once.
            json.repeatedValue(writtenAt: summaryValue)
        } else {
            field(entry.pointee.contentText, into: &json)
        }
        json.field("authors", strings: entry.pointee.authors)
        json.field("categories", strings: entry.pointee.categories)
        json.key("enclosures")
        json.beginArray()
        for enclosure in entry.pointee.enclosures {
            json.beginObject()
            json.field("url", enclosure.url)
            json.field("type", enclosure.type)
            json.key("length")
            json.integer(enclosure.length)
            json.endObject()
        }
        json.endArray()
        dateField("published", entry.pointee.published, into: &json)
        dateField("updated", entry.pointee.updated, into: &json)
        json.endObject()
    }

    /// A date as ``FeedDate/format(_:)`` writes it, its bytes made on the stack.
    private static func dateField(_ name: String, _ date: Date?, into json: inout JSONWriter) {
        json.key(name)
        if let date { FeedDate.withFormattedBytes(date) { json.string(utf8: $0) } } else { json.null() }
    }

    /// Entry text straight from the parser's bytes: no `String` made and validated again.
    private static func field(_ text: EntryText?, into json: inout JSONWriter) {
        if let text { text.withUTF8 { json.string(utf8: $0) } } else { json.null() }
    }
}
