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
        for entry in feed.entries { write(entry, feedID: nil, into: &json) }
        json.endArray()
        json.field("warnings", strings: feed.warnings)
        json.endObject()
        return json.output
    }

    /// One entry, UTF-8: `feed` (when given), `key`, `id`, `link`, `title`, `summary`,
    /// `content`, `authors`, `categories`, `enclosures`, `published`, `updated`.
    public static func entry(_ entry: Entry, feedID: Int64?) -> [UInt8] {
        var json = JSONWriter()
        write(entry, feedID: feedID, into: &json)
        return json.bytes
    }

    /// Each of `entries` as ``entry(_:feedID:)`` writes it, through one writer whose buffer is
    /// reused from entry to entry.
    public static func entries(_ entries: [Entry], feedID: Int64?) -> [[UInt8]] {
        var json = JSONWriter(reservingCapacity: 4096)
        return entries.map { entry in
            write(entry, feedID: feedID, into: &json)
            return json.takeBytes()
        }
    }

    private static func write(_ entry: Entry, feedID: Int64?, into json: inout JSONWriter) {
        json.beginObject()
        if let feedID {
            json.key("feed")
            json.integer(feedID)
        }
        json.field("key", EntryIdentity.hex(entry.key))
        json.field("id", entry.id)
        json.field("link", entry.link)
        json.field("title", entry.title)
        field("summary", entry.summaryText, into: &json)
        field("content", entry.contentText, into: &json)
        json.field("authors", strings: entry.authors)
        json.field("categories", strings: entry.categories)
        json.key("enclosures")
        json.beginArray()
        for enclosure in entry.enclosures {
            json.beginObject()
            json.field("url", enclosure.url)
            json.field("type", enclosure.type)
            json.key("length")
            json.integer(enclosure.length)
            json.endObject()
        }
        json.endArray()
        json.field("published", entry.published.map(FeedDate.format))
        json.field("updated", entry.updated.map(FeedDate.format))
        json.endObject()
    }

    /// Entry text straight from the parser's bytes: no `String` made and validated again.
    private static func field(_ name: String, _ text: EntryText?, into json: inout JSONWriter) {
        json.key(name)
        if let text { text.withUTF8 { json.string(utf8: $0) } } else { json.null() }
    }
}
