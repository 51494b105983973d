import Foundation

/// JSON Feed 1.0 / 1.1 documents (https://jsonfeed.org/version/1.1).
///
/// Decoding goes through ``JSONDocumentReader`` (`JSONSerialization` for what it declines), then
/// every field is read by hand with its type checked, so a wrong-typed, null or missing field
/// loses only that field (counted in one warning), never the feed. Field choices follow feedparser's JSON parser where the spec leaves room:
/// `url` is the link (not `external_url`), ids that are numbers or booleans become strings, the
/// feed title and ids are trimmed. Where feedparser has bugs (it reads `date_modified` only when
/// `date_updated` is present, drops item authors and turns a missing id into `"null"`) this
/// parser follows the spec instead.
enum JSONFeedParser {
    /// The prefix every JSON Feed `version` URL starts with.
    static let versionPrefix = "https://jsonfeed.org/version/"
    /// The same over plain http, common in the wild (feed readers accept it).
    static let plainVersionPrefix = "http://jsonfeed.org/version/"

    /// The feed in `bytes` (UTF-8 JSON; UTF-16/32 with a BOM also work). Entry keys are filled in
    /// by the caller.
    ///
    /// - Throws: ``FeedParsingError/empty`` for blank input, ``FeedParsingError/malformed(line:message:)``
    ///   for invalid JSON, ``FeedParsingError/nestingTooDeep(line:)`` past `JSONSerialization`'s
    ///   depth bound, and ``FeedParsingError/notAFeed(_:)`` when the JSON is not an object, has no
    ///   JSON Feed `version` or no `items` array.
    static func parse(_ bytes: [UInt8], options: ParserOptions) throws(FeedParsingError) -> Feed {
        if bytes.count > options.limits.maxDocumentBytes {
            throw .documentTooLarge(bytes: bytes.count, limit: options.limits.maxDocumentBytes)
        }
        if bytes.allSatisfy(JSONDocumentReader.isWhitespace) { throw .empty }

        // The short way gives the same values; it declines documents that need what follows.
        let fast = JSONDocumentReader.rootObject(bytes)
        let surrogates = fast == nil ? LoneSurrogates.replaced(in: bytes) : nil
        let root: Any
        if let fast {
            root = fast
        } else {
            do {
                let data = Data(surrogates?.bytes ?? bytes)
                root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            } catch {
                throw JSONErrorLocation.error(for: error, in: bytes)
            }
        }
        guard let object = root as? [String: Any] else {
            throw .notAFeed("the JSON document is \(JSONValue.kind(of: root)), not an object")
        }
        guard let rawVersion = object["version"] as? String else {
            throw .notAFeed("JSON object without a JSON Feed \"version\" (\(versionPrefix)…)")
        }
        let version = rawVersion.trimmingWhitespace
        guard let prefix = [versionPrefix, plainVersionPrefix].first(where: { version.hasPrefix($0) }) else {
            throw .notAFeed("JSON \"version\" \"\(version.prefix(80))\" is not a JSON Feed version URL")
        }
        guard let items = object["items"] as? [Any] else {
            throw .notAFeed("JSON Feed without an \"items\" array")
        }

        var reader = JSONFeedReader(options: options)
        var feed = Feed(format: reader.format(ofVersion: String(version.dropFirst(prefix.count))))
        reader.base = reader.base(feedURL: object["feed_url"])
        feed.title = reader.text(object["title"], at: "title", trim: true)
        feed.link = reader.url(object["home_page_url"], at: "home_page_url")
        reader.feedAuthors = reader.authors(in: object, at: "")
        feed.entries = reader.entries(items)
        feed.warnings = reader.finishedWarnings()
        if let surrogates {
            feed.warnings.append("\(surrogates.count) lone UTF-16 surrogate escape(s) read as U+FFFD")
        }
        return feed
    }
}

/// Turns `JSONSerialization` errors into ``FeedParsingError`` values with a line number.
private enum JSONErrorLocation {
    static func error(for error: any Error, in bytes: [UInt8]) -> FeedParsingError {
        let ns = error as NSError
        let message = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
        var line = 0
        if let offset = characterOffset(in: message) {
            // Offsets count from after a UTF-8 byte order mark.
            let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
            let end = min(bytes.count, offset + (hasBOM ? 3 : 0))
            line = 1 + bytes[..<end].lazy.filter { $0 == 0x0A }.count
        } else if message.contains("end of file") || message.contains("end of data") {
            line = 1 + bytes.lazy.filter { $0 == 0x0A }.count
        }
        if message.contains("Too many nested") { return .nestingTooDeep(line: line) }
        return .malformed(line: line, message: "invalid JSON: \(message)")
    }

    /// N in "… around character N." / "… starting from character N.".
    private static func characterOffset(in message: String) -> Int? {
        guard let range = message.range(of: "character ") else { return nil }
        return Int(message[range.upperBound...].prefix(while: \.isNumber))
    }
}

/// Reads JSON Feed fields with their types checked, counting what it had to leave out.
private struct JSONFeedReader {
    let options: ParserOptions
    /// The base for relative URLs: `feed_url` when it resolves to http(s), else the document URL.
    var base: String?
    /// The feed's own authors, which items without authors inherit (JSON Feed 1.0 and 1.1 §items).
    var feedAuthors: [String] = []
    private var warnings: [String] = []
    private var wrongTypes = 0
    private var firstWrongType = ""
    private var skippedItems = 0
    /// Set when there were more items than ``ParserLimits/maxEntries``: why some were dropped.
    private var droppedEntries: String?
    private var longIDs = 0
    private var firstLongID = ""

    init(options: ParserOptions) {
        self.options = options
        self.base = options.documentURL
    }

    /// `.jsonFeed10` for `1`, `.jsonFeed11` for `1.1`; a later version is read as 1.1, with a warning.
    mutating func format(ofVersion version: String) -> FeedFormat {
        switch version.hasSuffix("/") ? String(version.dropLast()) : version {
        case "1", "1.0": return .jsonFeed10
        case "1.1": return .jsonFeed11
        default:
            warnings.append("unknown JSON Feed version \"\(version.prefix(40))\", read as 1.1")
            return .jsonFeed11
        }
    }

    /// `feed_url` resolved against the document URL, when that gives an http(s) URL (as feedparser
    /// prefers a safe `Content-Location` over the request URL); else the document URL.
    mutating func base(feedURL value: Any?) -> String? {
        let documentURL = options.documentURL
        guard let feedURL = string(value, at: "feed_url"), !feedURL.isEmpty else { return documentURL }
        let resolved = URLResolver.resolve(feedURL, against: documentURL)
        switch URLResolver.scheme(of: resolved) {
        case "http"?, "https"?: return resolved
        default: return documentURL
        }
    }

    /// The entries of the items that are objects; past ``ParserLimits/maxEntries`` the newest
    /// (see ``NewestEntries``), still in document order. Only the kept items become entries.
    mutating func entries(_ items: [Any]) -> [Entry] {
        let limit = options.limits.maxEntries
        var kept: [Int] = []  // indices into `items`, one per slot
        kept.reserveCapacity(min(items.count, max(limit, 0)))
        var newest: NewestEntries?
        var order = 0
        for (index, value) in items.enumerated() {
            guard let item = value as? [String: Any] else {
                skippedItems += 1
                continue
            }
            defer { order += 1 }
            if kept.count < limit {
                kept.append(index)
                continue
            }
            if newest == nil {
                newest = NewestEntries(limit: limit, firstDates: kept.lazy.map { Self.rankingDate(items[$0]) })
            }
            if let slot = newest?.offer(date: Self.rankingDate(item), order: order) { kept[slot] = index }
        }
        if let newest {
            kept = newest.slotsInDocumentOrder().map { kept[$0] }
            droppedEntries = newest.warning
        }
        return kept.compactMap { index in (items[index] as? [String: Any]).map { entry($0, index: index) } }
    }

    /// The date an item ranks by when there are too many: its entry's ``Entry/date`` to be.
    private static func rankingDate(_ value: Any) -> Date? {
        guard let item = value as? [String: Any] else { return nil }
        func date(_ key: String) -> Date? { (item[key] as? String).flatMap { FeedDate.parse($0.trimmingWhitespace) } }
        return date("date_published") ?? date("date_modified")
    }

    private mutating func entry(_ item: [String: Any], index: Int) -> Entry {
        var entry = Entry()
        entry.id = id(item["id"], index: index)
        entry.link = url(item["url"], at: "items[\(index)].url")
        entry.title = text(item["title"], at: "items[\(index)].title", trim: true)
        entry.summary = text(item["summary"], at: "items[\(index)].summary")
        entry.content = text(item["content_html"], at: "items[\(index)].content_html")
            ?? text(item["content_text"], at: "items[\(index)].content_text")
        entry.published = date(item["date_published"], at: "items[\(index)].date_published")
        entry.updated = date(item["date_modified"], at: "items[\(index)].date_modified")
        let authors = authors(in: item, at: "items[\(index)].")
        entry.authors = authors.isEmpty ? feedAuthors : authors
        entry.categories = tags(item["tags"], at: "items[\(index)].tags")
        entry.enclosures = attachments(item["attachments"], at: "items[\(index)].attachments")
        return entry
    }

    // MARK: Fields

    /// A string id (trimmed), or a number or boolean written the way feedparser coerces it.
    private mutating func id(_ value: Any?, index: Int) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        let id: String
        if let string = value as? String {
            id = string.trimmingWhitespace
        } else if let number = value as? NSNumber {
            id = JSONValue.string(of: number)
        } else {
            noteWrongType("items[\(index)].id")
            return nil
        }
        if id.utf8.count > options.limits.maxIdentifierBytes {
            if longIDs == 0 { firstLongID = "items[\(index)]" }
            longIDs += 1
            return nil
        }
        return id.isEmpty ? nil : id
    }

    /// Text from a string or a number; nil when missing, null, empty or of another type.
    mutating func text(_ value: Any?, at path: @autoclosure () -> String, trim: Bool = false) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        var text: String
        if let string = value as? String {
            text = string
        } else if let number = value as? NSNumber, !JSONValue.isBoolean(number) {
            text = JSONValue.string(of: number)
        } else {
            noteWrongType(path())
            return nil
        }
        if trim { text = text.trimmingWhitespace }
        return text.isEmpty ? nil : text
    }

    /// A string, trimmed; nil when missing, null or of another type.
    private mutating func string(_ value: Any?, at path: @autoclosure () -> String) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let string = value as? String else {
            noteWrongType(path())
            return nil
        }
        return string.trimmingWhitespace
    }

    /// A URL string resolved against ``base``; nil when empty or unusable.
    mutating func url(_ value: Any?, at path: @autoclosure () -> String) -> String? {
        guard let string = string(value, at: path()), !string.isEmpty else { return nil }
        let resolved = URLResolver.resolve(string, against: base)
        return resolved.isEmpty ? nil : resolved
    }

    private mutating func date(_ value: Any?, at path: @autoclosure () -> String) -> Date? {
        guard let string = string(value, at: path()), !string.isEmpty else { return nil }
        return FeedDate.parse(string)
    }

    /// Names from 1.1 `authors`, else 1.0 `author`: `name`, else the address of a `mailto:` url.
    mutating func authors(in object: [String: Any], at prefix: @autoclosure () -> String) -> [String] {
        if let list = object["authors"], !(list is NSNull) {
            if let array = list as? [Any] {
                let names = array.enumerated().compactMap { author($1, at: "\(prefix())authors[\($0)]") }
                if !names.isEmpty { return names }
            } else {
                noteWrongType("\(prefix())authors")
            }
        }
        if let single = object["author"], !(single is NSNull), let name = author(single, at: "\(prefix())author") {
            return [name]
        }
        return []
    }

    private mutating func author(_ value: Any, at path: @autoclosure () -> String) -> String? {
        if let name = value as? String {  // not the spec's object, but its meaning is plain
            let trimmed = name.trimmingWhitespace
            return trimmed.isEmpty ? nil : trimmed
        }
        guard let object = value as? [String: Any] else {
            noteWrongType(path())
            return nil
        }
        if let name = text(object["name"], at: "\(path()).name", trim: true) { return name }
        guard let url = string(object["url"], at: "\(path()).url"), url.lowercased().hasPrefix("mailto:") else {
            return nil
        }
        let address = url.dropFirst(7).prefix { $0 != "?" }
        return address.isEmpty ? nil : String(address)
    }

    private mutating func tags(_ value: Any?, at path: @autoclosure () -> String) -> [String] {
        guard let value, !(value is NSNull) else { return [] }
        if let array = value as? [Any] {
            return array.enumerated().compactMap { text($1, at: "\(path())[\($0)]", trim: true) }
        }
        return text(value, at: path(), trim: true).map { [$0] } ?? []
    }

    private mutating func attachments(_ value: Any?, at path: @autoclosure () -> String) -> [Enclosure] {
        guard let value, !(value is NSNull) else { return [] }
        guard let array = value as? [Any] else {
            noteWrongType(path())
            return []
        }
        var enclosures: [Enclosure] = []
        for (index, element) in array.enumerated() {
            guard let object = element as? [String: Any] else {
                noteWrongType("\(path())[\(index)]")
                continue
            }
            guard let url = url(object["url"], at: "\(path())[\(index)].url") else { continue }
            let type = string(object["mime_type"], at: "\(path())[\(index)].mime_type")
            let length = size(object["size_in_bytes"], at: "\(path())[\(index)].size_in_bytes")
            enclosures.append(Enclosure(url: url, type: type?.isEmpty == false ? type : nil, length: length))
        }
        return enclosures
    }

    /// A non-negative whole number of bytes, from a JSON number or a string of digits.
    private mutating func size(_ value: Any?, at path: @autoclosure () -> String) -> Int64? {
        guard let value, !(value is NSNull) else { return nil }
        var size: Int64?
        if let number = value as? NSNumber, !JSONValue.isBoolean(number) {
            size = JSONValue.int64(number)
        } else if let string = value as? String {
            size = Int64(string.trimmingWhitespace)
        } else {
            noteWrongType(path())
        }
        guard let size, size >= 0 else { return nil }
        return size
    }

    // MARK: Warnings

    private mutating func noteWrongType(_ path: String) {
        if wrongTypes == 0 { firstWrongType = path }
        wrongTypes += 1
    }

    /// The warnings, with one summary line for each kind of repeated damage.
    mutating func finishedWarnings() -> [String] {
        if skippedItems > 0 {
            warnings.append("\(skippedItems) item(s) in \"items\" were not JSON objects and were skipped")
        }
        if let droppedEntries { warnings.append(droppedEntries) }
        if longIDs > 0 {
            warnings.append(
                "\(longIDs) id(s) longer than \(options.limits.maxIdentifierBytes) bytes were treated as "
                    + "missing (first in \(firstLongID))")
        }
        if wrongTypes > 0 {
            warnings.append("\(wrongTypes) field(s) of an unexpected JSON type were ignored (first: \(firstWrongType))")
        }
        return warnings
    }
}
