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
    var bytes: [UInt8] = []
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
        } else {
            bytes.append(contentsOf: text)
        }
    }

    /// Turns text collected so far into markup (escaping it) before the first child tag.
    mutating func switchToMarkup() {
        guard !isMarkup else { return }
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
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
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
