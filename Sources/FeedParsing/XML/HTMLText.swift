/// Plain text from a fragment of HTML: tags removed, character references decoded.
enum HTMLText {
    static func plainText(_ html: String) -> String {
        guard html.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) else { return html }
        var output = ""
        output.reserveCapacity(html.utf8.count)
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                index = html.index(after: close)
                continue
            }
            if character == "&", let (decoded, next) = decodeReference(html, at: index) {
                output.unicodeScalars.append(decoded)
                index = next
                continue
            }
            output.append(character)
            index = html.index(after: index)
        }
        return output
    }

    /// The character an `&…;` reference at `start` stands for, and the index after it.
    static func decodeReference(_ text: String, at start: String.Index) -> (Unicode.Scalar, String.Index)? {
        let afterAmpersand = text.index(after: start)
        guard let semicolon = text[afterAmpersand...].prefix(32).firstIndex(of: ";") else { return nil }
        let body = text[afterAmpersand..<semicolon]
        let next = text.index(after: semicolon)
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value: UInt32?
            if digits.hasPrefix("x") || digits.hasPrefix("X") {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits)
            }
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return (scalar, next)
        }
        switch body {
        case "amp": return ("&", next)
        case "lt": return ("<", next)
        case "gt": return (">", next)
        case "quot": return ("\"", next)
        case "apos": return ("'", next)
        default:
            guard let value = LibXML2SAXParser.htmlEntityCodePoint(String(body)), let scalar = Unicode.Scalar(value) else {
                return nil
            }
            return (scalar, next)
        }
    }
}
