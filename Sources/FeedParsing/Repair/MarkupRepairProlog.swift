/// Pass 2: comments, CDATA sections, processing instructions, the XML declaration, the DOCTYPE.
extension MarkupScanner {
    /// Copies a comment, splitting `--` inside it. `<!--` that is never closed is text.
    mutating func comment(at index: Int) -> Int {
        let bodyStart = index + 4
        guard let close = find("-->", from: bodyStart) else { return strayLessThan(at: index) }
        let bodyEnd = close
        output.append(contentsOf: "<!--".utf8)
        var at = bodyStart
        var runStart = bodyStart
        while at + 1 < bodyEnd {
            if input[at] == UInt8(ascii: "-") && input[at + 1] == UInt8(ascii: "-") {
                copy(from: runStart, to: at + 1)
                output.append(0x20)
                fixes.commentHyphens += 1
                runStart = at + 1
            }
            at += 1
        }
        copy(from: runStart, to: bodyEnd)
        if bodyEnd > bodyStart && input[bodyEnd - 1] == UInt8(ascii: "-") {
            output.append(0x20)
            fixes.commentHyphens += 1
        }
        output.append(contentsOf: "-->".utf8)
        emittedMarkup = true
        return close + 3
    }

    /// Copies a CDATA section (dropped before the root element); closes one left open at the end.
    mutating func cdataSection(at index: Int) -> Int {
        let close = find("]]>", from: index + 9)
        let end = close.map { $0 + 3 } ?? input.count
        if rootName == nil {
            fixes.leadingText += end - index
            return end
        }
        copy(from: index, to: end)
        if close == nil {
            output.append(contentsOf: "]]>".utf8)
            fixes.tagFixes += 1
        }
        return end
    }

    /// Copies a processing instruction; one never closed ends at the next `>`. An XML
    /// declaration (which holds no `>`) is kept only when it is well-formed and nothing but white
    /// space came before it (which is then dropped).
    mutating func processingInstruction(at index: Int) -> Int {
        let targetEnd = nameEnd(from: index + 2)
        if targetEnd - index == 5 && startsIgnoringCase("<?xml", at: index) {
            let end = find(byte: UInt8(ascii: ">"), from: targetEnd).map { $0 + 1 } ?? input.count
            if !emittedMarkup && rootName == nil && isWellFormedDeclaration(from: index, to: end) {
                fixes.leadingText += output.count
                output.removeAll(keepingCapacity: true)
                copy(from: index, to: end)
                emittedMarkup = true
            } else {
                fixes.declarations += 1
            }
            return end
        }
        emittedMarkup = true
        if let close = find("?>", from: targetEnd) {
            copy(from: index, to: close + 2)
            return close + 2
        }
        let end = find(byte: UInt8(ascii: ">"), from: targetEnd) ?? input.count
        copy(from: index, to: end)
        output.append(contentsOf: "?>".utf8)
        fixes.tagFixes += 1
        return min(end + 1, input.count)
    }

    /// Whether `input[from..<to]` is `<?xml version="1.x" [encoding="…"] [standalone="…"] ?>`.
    func isWellFormedDeclaration(from: Int, to: Int) -> Bool {
        guard to - from >= 7, input[to - 2] == UInt8(ascii: "?"), input[to - 1] == UInt8(ascii: ">"),
            input[from + 2] == UInt8(ascii: "x"), input[from + 3] == UInt8(ascii: "m"), input[from + 4] == UInt8(ascii: "l")
        else { return false }
        var at = from + 5
        let end = to - 2
        var expected: [StaticString] = ["version", "encoding", "standalone"]
        var sawVersion = false
        while true {
            let spaceStart = at
            while at < end && EncodingDetection.isSpace(input[at]) { at += 1 }
            if at == end { return sawVersion }
            guard at > spaceStart else { return false }
            guard let slot = expected.firstIndex(where: { starts(with: $0, at: at) }) else { return false }
            let key = expected[slot]
            if !sawVersion && slot != 0 { return false }
            at += key.utf8CodeUnitCount
            expected.removeFirst(slot + 1)
            while at < end && EncodingDetection.isSpace(input[at]) { at += 1 }
            guard at < end, input[at] == UInt8(ascii: "=") else { return false }
            at += 1
            while at < end && EncodingDetection.isSpace(input[at]) { at += 1 }
            guard at < end, input[at] == UInt8(ascii: "\"") || input[at] == UInt8(ascii: "'") else { return false }
            let quote = input[at]
            let valueStart = at + 1
            var valueEnd = valueStart
            while valueEnd < end && input[valueEnd] != quote { valueEnd += 1 }
            guard valueEnd < end else { return false }
            let value = input[valueStart..<valueEnd]
            switch key.utf8CodeUnitCount {
            case 7:  // version: 1.digits
                guard value.count >= 3, value.first == UInt8(ascii: "1"), value[valueStart + 1] == UInt8(ascii: "."),
                    value.dropFirst(2).allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
                else { return false }
                sawVersion = true
            case 8:  // encoding: a letter, then letters, digits, . _ -
                guard let first = value.first, first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z"),
                    value.allSatisfy({ Self.isNameByte($0) && $0 < 0x80 && $0 != UInt8(ascii: ":") })
                else { return false }
            default:  // standalone: yes or no
                guard value.elementsEqual("yes".utf8) || value.elementsEqual("no".utf8) else { return false }
            }
            at = valueEnd + 1
        }
    }

    // MARK: - DOCTYPE

    /// Copies the DOCTYPE, noting the internal general entities its internal subset declares and
    /// dropping the parameter entity references in it.
    mutating func doctype(at index: Int) -> Int {
        var at = index + 9
        var inSubset = false
        var parameterReferences: [Range<Int>] = []
        scan: while at < input.count {
            let byte = input[at]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                at = (find(byte: byte, from: at + 1) ?? input.count) + 1
                continue scan
            case UInt8(ascii: "[") where !inSubset:
                inSubset = true
            case UInt8(ascii: "]") where inSubset:
                inSubset = false
            case UInt8(ascii: ">") where !inSubset:
                at += 1
                break scan
            case UInt8(ascii: "<") where inSubset && starts(with: "<!--", at: at):
                at = min((find("-->", from: at + 4) ?? input.count) + 3, input.count)
                continue scan
            case UInt8(ascii: "<") where inSubset && starts(with: "<!ENTITY", at: at):
                at = entityDeclaration(from: at + 8)
                continue scan
            case UInt8(ascii: "%") where inSubset && at + 1 < input.count && Self.isNameStart(input[at + 1]):
                // `%name;`: would load an external DTD, which is never done; the parse then fails.
                let end = nameEnd(from: at + 1)
                if end < input.count && input[end] == UInt8(ascii: ";") {
                    parameterReferences.append(at..<(end + 1))
                    at = end + 1
                    continue scan
                }
            default:
                break
            }
            at += 1
        }
        let end = min(at, input.count)
        output.append(contentsOf: "<!DOCTYPE".utf8)
        if !starts(with: "<!DOCTYPE", at: index) { fixes.tagFixes += 1 }
        var copied = index + 9
        for reference in parameterReferences {
            copy(from: copied, to: reference.lowerBound)
            copied = reference.upperBound
        }
        copy(from: copied, to: end)
        fixes.parameterReferences += parameterReferences.count
        emittedMarkup = true
        return end
    }

    /// Reads `<!ENTITY name "…"` from after `<!ENTITY`: remembers `name` when the entity is a
    /// general one with a literal value. Returns where the DOCTYPE scan goes on (at the value).
    mutating func entityDeclaration(from index: Int) -> Int {
        var at = index
        while at < input.count && EncodingDetection.isSpace(input[at]) { at += 1 }
        guard at < input.count, Self.isNameStart(input[at]) else { return at }  // `%`: a parameter entity
        let end = nameEnd(from: at)
        var valueStart = end
        while valueStart < input.count && EncodingDetection.isSpace(input[valueStart]) { valueStart += 1 }
        if valueStart < input.count && (input[valueStart] == UInt8(ascii: "\"") || input[valueStart] == UInt8(ascii: "'")) {
            declaredEntities.insert(Array(input[at..<end]))
        }
        return valueStart
    }
}
