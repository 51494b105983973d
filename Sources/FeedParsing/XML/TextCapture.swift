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

/// The text of the open captures, one after another in one growing array (reused across the
/// document, so its capacity is allocated once).
struct TextBuffer {
    private(set) var bytes: [UInt8] = []

    var count: Int { bytes.count }

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        // Escaped HTML arrives as many tiny events (one per entity): byte appends are cheaper
        // there than the general bulk append.
        if text.count <= 8 {
            for byte in text { bytes.append(byte) }
        } else {
            bytes.append(contentsOf: text)
        }
    }

    mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        Self.escape(text, into: &bytes, quote: false)
    }

    /// Escapes the text from `start` on, before the first child tag of a capture that turns
    /// out to hold markup.
    mutating func escapeText(from start: Int) {
        let text = Array(bytes[start...])
        bytes.removeSubrange(start...)
        text.withUnsafeBufferPointer { Self.escape($0, into: &bytes, quote: false) }
    }

    mutating func appendStartTag(_ name: String, attributes: [XMLAttribute]) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        for attribute in attributes {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: (attribute.qualifiedName ?? attribute.local.rawValue).utf8)
            bytes.append(contentsOf: "=\"".utf8)
            var value = attribute.value
            value.withUTF8 { Self.escape($0, into: &bytes, quote: true) }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func appendEndTag(_ name: String) {
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    /// The text from `start` on, white space trimmed, as a `String`; nil when empty.
    func string(from start: Int) -> String? {
        guard let range = trimmedRange(from: start) else { return nil }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The text from `start` on, white space trimmed, as bytes; nil when empty.
    func entryText(from start: Int) -> EntryText? {
        guard let range = trimmedRange(from: start) else { return nil }
        return EntryText(validUTF8: ArraySlice(Array(bytes[range])))
    }

    /// Drops the text from `start` on, keeping the capacity.
    mutating func truncate(to start: Int) {
        bytes.removeLast(bytes.count - start)
    }

    private func trimmedRange(from start: Int) -> Range<Int>? {
        var start = start
        var end = bytes.endIndex
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        return start < end ? start..<end : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func escape(_ text: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8], quote: Bool) {
        for byte in text {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\"") where quote: bytes.append(contentsOf: "&quot;".utf8)
            default: bytes.append(byte)
            }
        }
    }
}
