/// Pass 2: rewrites a damaged document so that libxml2 finds it well-formed, for the damage
/// feeds commonly carry. One linear scan; each kind of fix adds one note.
///
/// - Text before the root element that is not white space is dropped (a UTF-8 byte order mark
///   with it), and so is white space before an XML declaration. An XML declaration anywhere
///   but at the start, or malformed, is dropped (pass 1 already decided the encoding).
/// - Content after the end of the root element, other than white space, comments and
///   processing instructions, is dropped.
/// - Characters XML forbids everywhere are removed: C0 controls other than TAB, LF, CR
///   (NUL included) and, in a UTF-8 document, U+FFFE and U+FFFF. C1 controls are allowed by
///   XML 1.0 and kept.
/// - `&` that starts no reference becomes `&amp;`; `&name;` whose name is not XML's, not HTML 4's
///   (the parser expands those) and not declared in the internal subset becomes `&amp;name;`;
///   numeric references to characters XML forbids are removed; `&#X` becomes `&#x`.
/// - `<` that starts no markup becomes `&lt;`, also in attribute values; `]]>` in text becomes
///   `]]&gt;`.
/// - In start tags: unquoted attribute values are quoted, an attribute with no value gets its
///   name as value, a repeated attribute is dropped; `<br>`, `<hr>`, `<img>`, `<wbr>` are closed.
///   An end tag missing its `>` gets one.
/// - Elements are balanced: an end tag closes the elements opened inside its element; one that
///   matches no open element is dropped, and so is an early end tag of the root element (not its
///   last one) while others are open; elements still open at the end are closed.
/// - In comments, `--` becomes `- -`. Parameter entity references (`%name;`) in the internal
///   DTD subset are dropped: external DTDs are never loaded, and libxml2 fails on them. Comments,
///   CDATA sections, processing instructions and the DOCTYPE are otherwise copied as they are.
///
/// Works on bytes, so it also serves documents left in an ASCII-compatible encoding for libxml2
/// to decode (their multi-byte sequences never contain bytes below 0x40); a document with
/// ISO-2022 escape sequences is returned unchanged.
enum MarkupRepair {
    /// Runs the repair (see ``MarkupRepair``).
    static func repair(_ input: [UInt8]) -> (bytes: [UInt8], notes: [String]) {
        input.withUnsafeBufferPointer { buffer in
            if MarkupScanner.hasISO2022Escapes(buffer) {
                return (input, ["ISO-2022 escape sequences: markup not repaired"])
            }
            let isUTF8: Bool
            if case .invalid = UTF8Validation.scan(buffer) { isUTF8 = false } else { isUTF8 = true }
            var scanner = MarkupScanner(buffer, isUTF8: isUTF8)
            scanner.run()
            return (scanner.output, scanner.fixes.notes)
        }
    }
}

/// The state of one pass-2 scan. Reads `input`, writes `output`.
struct MarkupScanner {
    /// The document.
    let input: UnsafeBufferPointer<UInt8>
    /// Whether the document is UTF-8 (then U+FFFE/U+FFFF are removed).
    let isUTF8: Bool
    /// The repaired document.
    var output: [UInt8] = []
    /// What was fixed.
    var fixes = MarkupFixes()
    /// Entity names the internal DTD subset declares (internal general entities only).
    var declaredEntities: Set<[UInt8]> = []
    /// Whether each name looked up is an HTML 4 entity name.
    var htmlEntityNames: [[UInt8]: Bool] = [:]
    /// Where the name of the root element is in `input`, once its start tag is seen.
    var rootName: Range<Int>?
    /// Where the root element's last end tag starts in `input`: only it may close the root
    /// while other elements are open.
    var lastRootEndTag: Int?
    /// `output.count` just after the root element was closed.
    var lastRootEnd: Int?
    /// The names (in `input`) of the elements open, outermost first.
    var openElements: [Range<Int>] = []
    /// Whether anything but white space has been written (an XML declaration must come first).
    var emittedMarkup = false
    /// For each searched literal or byte, an offset from which it is known not to occur.
    var misses: [UInt32: Int] = [:]

    /// A scanner over `input`.
    init(_ input: UnsafeBufferPointer<UInt8>, isUTF8: Bool) {
        self.input = input
        self.isUTF8 = isUTF8
        output.reserveCapacity(input.count + input.count / 16 + 64)
    }

    /// Whether `input` has an ISO-2022 escape (ESC `$` or ESC `(`): its shifted bytes include
    /// `&` and `<`, which must not be touched.
    static func hasISO2022Escapes(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 1 < input.count {
            if input[index] == 0x1B && (input[index + 1] == UInt8(ascii: "$") || input[index + 1] == UInt8(ascii: "(")) {
                return true
            }
            index += 1
        }
        return false
    }

    /// Scans the whole document.
    mutating func run() {
        var index = 0
        if input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF { index = 3 }
        let count = input.count
        while index < count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "<"):
                index = markup(at: index)
            case UInt8(ascii: "&") where rootName != nil:
                index = reference(at: index)
            case UInt8(ascii: ">") where output.count >= 2 && output[output.count - 1] == UInt8(ascii: "]")
                && output[output.count - 2] == UInt8(ascii: "]"):
                output.append(contentsOf: "&gt;".utf8)
                fixes.cdataEnds += 1
                index += 1
            default:
                if rootName != nil {
                    // Plain text: copy the whole run at once.
                    var end = index
                    while end < count && Self.isPlainTextByte(input[end]) { end += 1 }
                    if end > index {
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                        index = end
                        continue
                    }
                }
                let length = forbiddenLength(at: index)
                if length > 0 {
                    fixes.forbiddenCharacters += 1
                    index += length
                } else if rootName == nil && !EncodingDetection.isSpace(byte) {
                    fixes.leadingText += 1  // text before the root element
                    index += 1
                } else {
                    output.append(byte)
                    index += 1
                }
            }
        }
        if lastRootEnd == nil {
            // A truncated document stays truncated: closing its open elements would complete
            // the last entry from half its fields, and that entry's key would differ from the
            // whole entry's on the next poll. The parser drops an entry still open at the end.
            fixes.truncatedElements += openElements.count
        } else {
            closeElements(downTo: 0)
            dropTrailingContent()
        }
    }

    // MARK: - Bytes

    /// Whether `input[index...]` starts with `literal`.
    func starts(with literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where input[index + offset] != pointer[offset] { return false }
        return true
    }

    /// The offset of the first `literal` (at most 4 bytes) at or after `index`. A search that
    /// fails is remembered, so that searching again further on costs nothing (linear time on
    /// documents full of unterminated constructs).
    mutating func find(_ literal: StaticString, from index: Int) -> Int? {
        var key: UInt32 = 0
        for offset in 0..<min(literal.utf8CodeUnitCount, 4) { key = key << 8 | UInt32(literal.utf8Start[offset]) }
        if let miss = misses[key], index >= miss { return nil }
        let first = literal.utf8Start[0]
        var at = index
        while at < input.count {
            if input[at] == first && starts(with: literal, at: at) { return at }
            at += 1
        }
        misses[key] = index
        return nil
    }

    /// The offset of the first `byte` at or after `index` (failures remembered, as by
    /// ``find(_:from:)``).
    mutating func find(byte: UInt8, from index: Int) -> Int? {
        let key = UInt32(byte) | 0xFF00_0000
        if let miss = misses[key], index >= miss { return nil }
        var at = index
        while at < input.count {
            if input[at] == byte { return at }
            at += 1
        }
        misses[key] = index
        return nil
    }

    /// The length of a character XML forbids everywhere at `index` (0: none there).
    @inline(__always)
    /// A byte that needs no look in text: not markup, not a control character, not the lead
    /// byte of U+FFFE/U+FFFF.
    static func isPlainTextByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: ">"), 0xEF: return false
        case 0x09, 0x0A, 0x0D: return true
        default: return byte >= 0x20
        }
    }

    func forbiddenLength(at index: Int) -> Int {
        ForbiddenCharacters.length(in: input, at: index, utf8: isUTF8)
    }

    /// Copies `input[from..<to]` without the characters XML forbids.
    mutating func copy(from: Int, to: Int) {
        var index = from
        var runStart = from
        while index < to {
            let length = forbiddenLength(at: index)
            if length == 0 {
                index += 1
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
            fixes.forbiddenCharacters += 1
            index = min(index + length, to)
            runStart = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<to]))
    }

    /// Whether `byte` may start an XML name (non-ASCII bytes are taken to).
    @inline(__always)
    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    /// Whether `byte` may continue an XML name.
    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// The end of the name starting at `index`.
    func nameEnd(from index: Int) -> Int {
        var end = index
        while end < input.count && Self.isNameByte(input[end]) { end += 1 }
        return end
    }

    /// Drops what follows the last end tag of the root element, unless it is only white space,
    /// comments and processing instructions.
    mutating func dropTrailingContent() {
        guard let end = lastRootEnd, end < output.count else { return }
        var index = end
        let tail = output
        func startsTail(_ literal: String, _ at: Int) -> Bool {
            let bytes = Array(literal.utf8)
            return at + bytes.count <= tail.count && tail[at..<at + bytes.count].elementsEqual(bytes)
        }
        func findTail(_ literal: String, _ from: Int) -> Int? {
            var at = from
            while at < tail.count {
                if startsTail(literal, at) { return at }
                at += 1
            }
            return nil
        }
        while index < tail.count {
            if EncodingDetection.isSpace(tail[index]) {
                index += 1
            } else if startsTail("<!--", index), let close = findTail("-->", index + 4) {
                index = close + 3
            } else if startsTail("<?", index), let close = findTail("?>", index + 2) {
                index = close + 2
            } else {
                fixes.trailingContent += tail.count - end
                output.removeSubrange(end...)
                output.append(0x0A)
                return
            }
        }
    }
}
