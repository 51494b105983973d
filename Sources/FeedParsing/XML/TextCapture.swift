/// The text of one element being collected, and, for content that holds markup, that markup
/// serialised back.
struct TextCapture {
    enum Kind: Equatable {
        case title, mediaTitle, link, id, summary, content, published, updated
        case author, personName, personEmail, category, ttl
        case feedTitle, feedLink
    }

    let kind: Kind
    /// Depth of the element whose text this is.
    let depth: Int
    /// The text so far, when it arrived as one chunk (the common case: one CDATA section or
    /// one run of text): kept as a `String` from the start, so it is copied only once.
    private var singleChunk: String?
    /// White space that arrived after `singleChunk`; it only matters if more text follows.
    private var spaceAfterSingleChunk: [UInt8] = []
    /// The text so far, once it arrived in several chunks (or as markup).
    private(set) var bytes: [UInt8] = []
    /// True once the text holds serialised markup (Atom `type="xhtml"`, or HTML written as
    /// child elements); characters are then escaped as they arrive.
    var isMarkup: Bool
    /// For Atom xhtml: the depth of a wrapping `<div>` that is left out of the markup.
    var skippedWrapperDepth: Int?
    /// Atom `type` (text, html, xhtml) or RSS description's implied HTML.
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

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        if isMarkup {
            Self.appendEscaped(text, to: &bytes, quote: false)
            return
        }
        if bytes.isEmpty {
            if let chunk = singleChunk {
                if text.allSatisfy(Self.isSpace) {
                    spaceAfterSingleChunk.append(contentsOf: text)
                    return
                }
                bytes.reserveCapacity(chunk.utf8.count + spaceAfterSingleChunk.count + text.count)
                bytes.append(contentsOf: chunk.utf8)
                bytes.append(contentsOf: spaceAfterSingleChunk)
                singleChunk = nil
            } else {
                // Leading white space is trimmed in the end anyway.
                guard let start = text.firstIndex(where: { !Self.isSpace($0) }) else { return }
                singleChunk = String(decoding: UnsafeBufferPointer(rebasing: text[start...]), as: UTF8.self)
                return
            }
        }
        bytes.append(contentsOf: text)
    }

    /// Moves a single chunk into `bytes`, for code that edits the bytes.
    private mutating func materialise() {
        guard let chunk = singleChunk else { return }
        bytes = Array(chunk.utf8)
        singleChunk = nil
    }

    /// Turns text collected so far into markup (escaping it) before the first child tag.
    mutating func switchToMarkup() {
        guard !isMarkup else { return }
        materialise()
        let text = bytes
        bytes.removeAll(keepingCapacity: true)
        text.withUnsafeBufferPointer { Self.appendEscaped($0, to: &bytes, quote: false) }
        isMarkup = true
        isHTML = true
    }

    mutating func appendStartTag(_ name: String, attributes: [XMLAttribute]) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        for attribute in attributes {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: (attribute.qualifiedName ?? attribute.local.rawValue).utf8)
            bytes.append(contentsOf: "=\"".utf8)
            var value = attribute.value
            value.withUTF8 { Self.appendEscaped($0, to: &bytes, quote: true) }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func appendEndTag(_ name: String) {
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    /// The collected text with surrounding white space removed; nil when nothing remains.
    func trimmedText() -> String? {
        if let chunk = singleChunk {
            guard let last = chunk.utf8.last, Self.isSpace(last) else { return chunk }
            var end = chunk.utf8.endIndex
            while end > chunk.utf8.startIndex, Self.isSpace(chunk.utf8[chunk.utf8.index(before: end)]) {
                end = chunk.utf8.index(before: end)
            }
            return String(chunk[..<end])
        }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8], quote: Bool) {
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
