/// HTML named references (`&eacute;`) written as numeric ones (`&#233;`), outside CDATA
/// sections and comments. libxml2 2.9 expands a named entity's text correctly in element
/// content but keeps only its first byte inside an attribute value; numeric references are
/// right in both.
enum HTMLEntityReferences {
    /// `bytes` with HTML named references made numeric; nil when there were none.
    static func numeric(in bytes: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        var copied = 0
        var index = 0
        while let ampersand = nextSpecial(in: bytes, from: index) {
            if bytes[ampersand] == UInt8(ascii: "<") {
                index = skipSection(in: bytes, at: ampersand)
                continue
            }
            index = ampersand + 1
            guard let (codePoint, end) = namedReference(in: bytes, at: ampersand) else { continue }
            if output.isEmpty { output.reserveCapacity(bytes.count + 64) }
            output.append(contentsOf: bytes[copied..<ampersand])
            output.append(contentsOf: "&#\(codePoint);".utf8)
            copied = end
            index = end
        }
        guard copied > 0 else { return nil }
        output.append(contentsOf: bytes[copied...])
        return output
    }

    private static func nextSpecial(in bytes: [UInt8], from index: Int) -> Int? {
        bytes[index...].firstIndex { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") }
    }

    /// Past a CDATA section or comment starting at `index` (a `<`); `index + 1` otherwise.
    private static func skipSection(in bytes: [UInt8], at index: Int) -> Int {
        for (opening, closing) in [("<![CDATA[", "]]>"), ("<!--", "-->")] where starts(bytes, with: opening, at: index) {
            var at = index + opening.utf8.count
            while at < bytes.count {
                if starts(bytes, with: closing, at: at) { return at + closing.utf8.count }
                at += 1
            }
            return bytes.count
        }
        return index + 1
    }

    private static func starts(_ bytes: [UInt8], with literal: String, at index: Int) -> Bool {
        let utf8 = literal.utf8
        guard index + utf8.count <= bytes.count else { return false }
        return bytes[index..<index + utf8.count].elementsEqual(utf8)
    }

    /// The code point and end of an HTML named reference (not one of XML's five) at `index`.
    private static func namedReference(in bytes: [UInt8], at index: Int) -> (UInt32, Int)? {
        var end = index + 1
        while end < bytes.count, end - index <= 32, isNameByte(bytes[end]) { end += 1 }
        guard end > index + 1, end < bytes.count, bytes[end] == UInt8(ascii: ";") else { return nil }
        let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
        guard !["amp", "lt", "gt", "quot", "apos"].contains(name),
            let codePoint = LibXML2SAXParser.htmlEntityCodePoint(name)
        else { return nil }
        return (codePoint, end + 1)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
