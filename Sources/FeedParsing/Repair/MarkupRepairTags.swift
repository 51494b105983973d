/// Pass 2: which markup a `<` starts, and tags (start tags, attributes, end tags, balance).
extension MarkupScanner {
    /// Handles the `<` at `index`; returns where scanning goes on.
    mutating func markup(at index: Int) -> Int {
        if starts(with: "<!--", at: index) { return comment(at: index) }
        if starts(with: "<![CDATA[", at: index) { return cdataSection(at: index) }
        if startsIgnoringCase("<!DOCTYPE", at: index) { return doctype(at: index) }
        let next = index + 1 < input.count ? input[index + 1] : 0
        if next == UInt8(ascii: "?") && index + 2 < input.count && Self.isNameStart(input[index + 2]) {
            return processingInstruction(at: index)
        }
        if next == UInt8(ascii: "/") && index + 2 < input.count && Self.isNameStart(input[index + 2]) {
            return endTag(at: index)
        }
        if Self.isNameStart(next) { return startTag(at: index) }
        return strayLessThan(at: index)
    }

    /// Writes `&lt;` for the `<` at `index` (drops it before the root element).
    mutating func strayLessThan(at index: Int) -> Int {
        if rootName == nil {
            fixes.leadingText += 1
        } else {
            output.append(contentsOf: "&lt;".utf8)
            fixes.strayLessThan += 1
        }
        return index + 1
    }

    /// Whether `input[index...]` starts with `literal` (ASCII letters in any case).
    func startsIgnoringCase(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        for offset in 0..<count where input[index + offset] | 0x20 != literal.utf8Start[offset] | 0x20 { return false }
        return true
    }

    /// Copies a start tag: quotes unquoted values, drops repeated attributes, escapes `<` and
    /// mends `&` in values; tracks the open elements.
    mutating func startTag(at index: Int) -> Int {
        let nameRange = (index + 1)..<nameEnd(from: index + 1)
        if rootName == nil {
            rootName = nameRange
            lastRootEndTag = lastEndTag(named: nameRange)
        }
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[nameRange]))
        emittedMarkup = true
        var seen: Set<[UInt8]> = []
        var at = nameRange.upperBound
        var selfClosing = false
        tag: while true {
            guard at < input.count else {
                output.append(UInt8(ascii: ">"))
                fixes.tagFixes += 1
                break
            }
            let byte = input[at]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                output.append(byte)
                at += 1
            case UInt8(ascii: ">"):
                if isVoidHTMLElement(nameRange) {
                    output.append(UInt8(ascii: "/"))
                    selfClosing = true
                }
                output.append(byte)
                at += 1
                break tag
            case UInt8(ascii: "/"):
                var close = at + 1
                while close < input.count && EncodingDetection.isSpace(input[close]) { close += 1 }
                if close < input.count && input[close] == UInt8(ascii: ">") {
                    output.append(contentsOf: "/>".utf8)
                    selfClosing = true
                    if close != at + 1 { fixes.tagFixes += 1 }
                    at = close + 1
                    break tag
                }
                fixes.tagFixes += 1
                at += 1
            case UInt8(ascii: "<"):
                output.append(UInt8(ascii: ">"))
                fixes.tagFixes += 1
                break tag
            case UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "'"):
                fixes.tagFixes += 1
                at += 1
            default:
                at = attribute(at: at, seen: &seen)
            }
        }
        if !selfClosing { openElements.append(nameRange) }
        return at
    }

    /// Copies the attribute whose name starts at `index`, or drops it when `seen` has its name
    /// or the name is not an XML name; returns where the tag goes on.
    mutating func attribute(at index: Int, seen: inout Set<[UInt8]>) -> Int {
        var nameEnd = index
        while nameEnd < input.count && !Self.endsAttributeName(input[nameEnd]) { nameEnd += 1 }
        let name = index..<nameEnd
        let repeated: Bool
        if !Self.isNameStart(input[index]) || !input[name].allSatisfy(Self.isNameByte) {
            repeated = true  // dropped like a repeated one
            fixes.tagFixes += 1
        } else {
            repeated = !seen.insert(Array(input[name])).inserted
            if repeated { fixes.duplicateAttributes += 1 }
        }
        var at = nameEnd
        while at < input.count && EncodingDetection.isSpace(input[at]) { at += 1 }
        guard at < input.count, input[at] == UInt8(ascii: "=") else {
            // No value (`<input checked>`): the name is the value.
            if !repeated {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[name]))
                output.append(contentsOf: "=\"".utf8)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[name]))
                output.append(UInt8(ascii: "\""))
                fixes.unquotedValues += 1
            }
            return nameEnd
        }
        at += 1
        while at < input.count && EncodingDetection.isSpace(input[at]) { at += 1 }
        let valueStart: Int
        let valueEnd: Int
        let next: Int
        var quote = UInt8(ascii: "\"")
        if at < input.count && (input[at] == UInt8(ascii: "\"") || input[at] == UInt8(ascii: "'")) {
            quote = input[at]
            if let close = find(byte: quote, from: at + 1) {
                (valueStart, valueEnd, next) = (at + 1, close, close + 1)
            } else {  // no closing quote: the value ends with the tag
                let close = find(byte: UInt8(ascii: ">"), from: at + 1) ?? input.count
                fixes.tagFixes += 1
                (valueStart, valueEnd, next) = (at + 1, close, close)
            }
        } else {
            var end = at
            while end < input.count {
                let byte = input[end]
                if EncodingDetection.isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "<") { break }
                if byte == UInt8(ascii: "/") && end + 1 < input.count && input[end + 1] == UInt8(ascii: ">") { break }
                end += 1
            }
            if !repeated { fixes.unquotedValues += 1 }
            (valueStart, valueEnd, next) = (at, end, end)
        }
        if !repeated {
            if valueStart > index && input[valueStart - 1] == quote {  // as written, up to the value
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<valueStart]))
            } else {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[name]))
                output.append(UInt8(ascii: "="))
                output.append(quote)
            }
            attributeValue(from: valueStart, to: valueEnd, quote: quote)
            output.append(quote)
            // `a="1"b="2"`: attributes need space between them.
            if next < input.count && !Self.endsAttributeName(input[next]) {
                output.append(0x20)
                fixes.tagFixes += 1
            }
        }
        return next
    }

    /// Whether `byte` ends an attribute name.
    static func endsAttributeName(_ byte: UInt8) -> Bool {
        EncodingDetection.isSpace(byte) || byte == UInt8(ascii: "=") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }

    /// Writes an attribute value to go between `quote`s: `<` and `quote` escaped, `&` mended.
    mutating func attributeValue(from: Int, to: Int, quote: UInt8) {
        var at = from
        while at < to {
            let byte = input[at]
            switch byte {
            case UInt8(ascii: "&"):
                at = reference(at: at, limit: to)
            case UInt8(ascii: "<"):
                output.append(contentsOf: "&lt;".utf8)
                fixes.strayLessThan += 1
                at += 1
            case quote:
                output.append(contentsOf: quote == UInt8(ascii: "'") ? "&apos;".utf8 : "&quot;".utf8)
                at += 1
            default:
                let length = forbiddenLength(at: at)
                if length > 0 {
                    fixes.forbiddenCharacters += 1
                    at += length
                } else {
                    output.append(byte)
                    at += 1
                }
            }
        }
    }

    /// Whether the element is one HTML never closes (`<br>`, `<img …>`), unprefixed.
    func isVoidHTMLElement(_ name: Range<Int>) -> Bool {
        let bytes = input[name]
        return ["br", "hr", "img", "wbr"].contains { bytes.elementsEqual($0.utf8) }
    }

    /// Copies an end tag, closing the elements opened inside it; drops one that closes nothing
    /// open, or that closes the root element early (it is not the root's last end tag).
    mutating func endTag(at index: Int) -> Int {
        let nameRange = (index + 2)..<nameEnd(from: index + 2)
        var at = nameRange.upperBound
        while at < input.count && EncodingDetection.isSpace(input[at]) { at += 1 }
        if at < input.count && input[at] == UInt8(ascii: ">") {
            at += 1
        } else {
            while at < input.count && input[at] != UInt8(ascii: ">") && input[at] != UInt8(ascii: "<") { at += 1 }
            if at < input.count && input[at] == UInt8(ascii: ">") { at += 1 }
            fixes.tagFixes += 1
        }
        // libxml2 refuses nesting deeper than 256, so no deeper match is looked for.
        let searched = openElements.indices.suffix(256)
        guard let depth = searched.last(where: { input[openElements[$0]].elementsEqual(input[nameRange]) }),
            depth > 0 || openElements.count == 1 || index == lastRootEndTag
        else {
            if rootName == nil { fixes.leadingText += at - index } else { fixes.strayEndTags += 1 }
            return at
        }
        fixes.unclosedElements += openElements.count - depth - 1
        closeElements(downTo: depth)
        return at
    }

    /// Writes end tags for the open elements from the innermost to `depth`.
    mutating func closeElements(downTo depth: Int) {
        while openElements.count > depth {
            let name = openElements.removeLast()
            output.append(contentsOf: "</".utf8)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[name]))
            output.append(UInt8(ascii: ">"))
        }
        if openElements.isEmpty && lastRootEnd == nil { lastRootEnd = output.count }
    }

    /// The offset of the last `</name` followed by `>` or white space in the document.
    func lastEndTag(named name: Range<Int>) -> Int? {
        let length = name.count + 2
        var at = input.count - length
        while at >= 0 {
            if input[at] == UInt8(ascii: "<") && input[at + 1] == UInt8(ascii: "/")
                && input[(at + 2)..<(at + length)].elementsEqual(input[name])
                && (at + length == input.count || input[at + length] == UInt8(ascii: ">")
                    || EncodingDetection.isSpace(input[at + length]))
            {
                return at
            }
            at -= 1
        }
        return nil
    }
}
