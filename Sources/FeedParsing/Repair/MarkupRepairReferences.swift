/// Pass 2: `&` — entity and character references.
extension MarkupScanner {
    /// Handles the `&` at `index`, in text or in an attribute value that ends at `limit`;
    /// returns where scanning goes on.
    mutating func reference(at index: Int, limit: Int? = nil) -> Int {
        let end = limit ?? input.count
        var at = index + 1
        if at < end && input[at] == UInt8(ascii: "#") {
            at += 1
            let hex = at < end && (input[at] == UInt8(ascii: "x") || input[at] == UInt8(ascii: "X"))
            if hex { at += 1 }
            let digitsStart = at
            var value: UInt32 = 0
            while at < end, let digit = Self.digitValue(input[at], hex: hex) {
                if value <= 0x10FFFF { value = value * (hex ? 16 : 10) + digit }
                at += 1
            }
            guard at > digitsStart, at < end, input[at] == UInt8(ascii: ";") else {
                return strayAmpersand(at: index)
            }
            guard Self.isAllowedCharacter(value) else {
                fixes.forbiddenReferences += 1
                return at + 1
            }
            output.append(contentsOf: hex ? "&#x".utf8 : "&#".utf8)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[digitsStart...at]))
            return at + 1
        }
        guard at < end, Self.isNameStart(input[at]) else { return strayAmpersand(at: index) }
        let nameEnd = min(nameEnd(from: at), end, at + 64)
        guard nameEnd < end, input[nameEnd] == UInt8(ascii: ";") else { return strayAmpersand(at: index) }
        let nameBytes = UnsafeBufferPointer(rebasing: input[at..<nameEnd])
        if Self.isPredefinedXMLEntity(nameBytes) || isKnownEntity(Array(nameBytes)) {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index...nameEnd]))
        } else {
            if fixes.unknownEntities == 0 { fixes.firstUnknownEntity = String(decoding: nameBytes, as: UTF8.self) }
            fixes.unknownEntities += 1
            output.append(contentsOf: "&amp;".utf8)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[at...nameEnd]))
        }
        return nameEnd + 1
    }

    /// Writes `&amp;` for the `&` at `index`.
    private mutating func strayAmpersand(at index: Int) -> Int {
        output.append(contentsOf: "&amp;".utf8)
        fixes.strayAmpersands += 1
        return index + 1
    }

    /// Whether `&name;` stands for something: one of XML's five, one the internal subset
    /// declares, or an HTML 4 name (which the parser expands itself).
    mutating func isKnownEntity(_ name: [UInt8]) -> Bool {
        if Self.isPredefinedXMLEntity(name) { return true }
        if declaredEntities.contains(name) { return true }
        if let known = htmlEntityNames[name] { return known }
        let known = name.allSatisfy({ $0 < 0x80 })
            && LibXML2SAXParser.htmlEntityCodePoint(String(decoding: name, as: UTF8.self)) != nil
        htmlEntityNames[name] = known
        return known
    }

    /// `lt`, `gt`, `amp`, `quot`, `apos`, compared byte by byte (no allocation).
    static func isPredefinedXMLEntity<Name: Collection<UInt8>>(_ name: Name) -> Bool {
        func matches(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == name.count else { return false }
            return word.withUTF8Buffer { $0.elementsEqual(name) }
        }
        return matches("lt") || matches("gt") || matches("amp") || matches("quot") || matches("apos")
    }

    /// The value of a decimal or hexadecimal digit.
    @inline(__always)
    static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Whether XML 1.0 allows the character (its `Char` production).
    static func isAllowedCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
