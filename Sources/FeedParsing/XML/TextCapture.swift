import Foundation

/// One element whose text is being collected. The text itself lives in the builder's
/// ``TextBuffer``, from ``start`` on, so a characters event costs one append to one array.
struct TextCapture {
    enum Kind: Equatable {
        case title, mediaTitle, link, id, summary, content, published, updated
        case author, personName, personEmail, category, ttl
        case feedTitle, feedLink
    }

    let kind: Kind
    /// Depth of the element whose text this is.
    let depth: Int
    /// Where this element's text begins in the text buffer.
    var start = 0
    /// True once the text holds serialised markup (Atom `type="xhtml"`, or HTML written as
    /// child elements); characters are then escaped as they arrive.
    var isMarkup: Bool
    /// For Atom xhtml: -1 until the first child is seen, then the depth of a wrapping `<div>`
    /// that is left out of the markup.
    var skippedWrapperDepth: Int?
    /// Whether the text is HTML (Atom `type="html"`, RSS description) rather than plain text.
    var isHTML: Bool
    /// Whether the text is base64 (Atom 0.3 `mode="base64"`, binary Atom types), decoded when done.
    var isBase64 = false

    init(kind: Kind, depth: Int, isMarkup: Bool = false, isHTML: Bool = false) {
        self.kind = kind
        self.depth = depth
        self.isMarkup = isMarkup
        self.isHTML = isHTML || isMarkup
    }

    /// Whether child elements of this capture are kept as markup rather than interpreted.
    var keepsChildMarkup: Bool {
        switch kind {
        case .title, .mediaTitle, .summary, .content, .feedTitle: return true
        default: return false
        }
    }
}

/// The text of the open captures, one after another in one growing store (reused across the
/// document, so its memory is allocated once). libxml2's text events are appended by the
/// shim while ``mode`` says so; tags of kept markup are appended here.
struct TextBuffer {
    /// The store the characters callback writes to.
    let storage: TextStorage

    /// `capacity`: room to reserve up front. The document's size is a good guess (kept text is
    /// most of a feed) and costs nothing until written: untouched pages are never faulted in.
    init(capacity: Int, ceiling: Int = 0) {
        storage = TextStorage(capacity: capacity, ceiling: ceiling)
    }

    var count: Int { storage.count }

    /// What the characters callback does with text now.
    func setMode(_ mode: TextStorage.Mode) {
        storage.setMode(mode)
    }

    /// Escapes the text from `start` on, before the first child tag of a capture that turns
    /// out to hold markup.
    mutating func escapeText(from start: Int) {
        let text = storage.bytes(start..<storage.count)
        storage.truncate(to: start)
        text.withUnsafeBufferPointer { storage.appendEscaped($0, quote: false) }
    }

    mutating func appendStartTag(_ name: String, attributes: XMLAttributes) {
        appendRaw("<")
        appendRaw(name)
        for attribute in attributes {
            appendRaw(" ")
            appendRaw(attribute.qualifiedName ?? attribute.local.rawValue)
            appendRaw("=\"")
            storage.appendEscaped(attribute.valueBytes, quote: true)
            appendRaw("\"")
        }
        appendRaw(">")
    }

    mutating func appendEndTag(_ name: String) {
        appendRaw("</")
        appendRaw(name)
        appendRaw(">")
    }

    /// The text from `start` on, white space trimmed, as a `String`; nil when empty.
    func string(from start: Int) -> String? {
        trimmedRange(from: start).map(storage.string)
    }

    /// The capture's text, trimmed, base64-decoded where the construct says so; nil when empty.
    func string(of capture: TextCapture) -> String? {
        guard let text = string(from: capture.start) else { return nil }
        guard capture.isBase64 else { return text }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    /// The date the text from `start` on spells (``FeedDate/parse(_:)``), read from the bytes.
    func date(from start: Int) -> Date? {
        guard let range = trimmedRange(from: start) else { return nil }
        return storage.withBytes(range) { FeedDate.parseUTF8($0) }
    }

    /// The text from `start` on, white space trimmed, for an entry to keep; nil when empty.
    /// Kept text is never truncated or overwritten: entries share the store, no copy is made.
    func entryText(from start: Int) -> EntryText? {
        guard let range = trimmedRange(from: start) else { return nil }
        storage.keepAll()
        return EntryText(storage: storage, range: range)
    }

    /// Drops the text from `start` on, keeping the memory.
    mutating func truncate(to start: Int) {
        storage.truncate(to: start)
    }

    private func trimmedRange(from start: Int) -> Range<Int>? {
        var start = start
        var end = storage.count
        while start < end, Self.isSpace(storage[start]) { start += 1 }
        while end > start, Self.isSpace(storage[end - 1]) { end -= 1 }
        return start < end ? start..<end : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private func appendRaw(_ text: String) {
        var text = text
        text.withUTF8 { storage.append($0) }
    }
}
