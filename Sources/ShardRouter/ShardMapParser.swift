/// `shards.conf` text → lines, each classified as blank, comment or range, plus every problem
/// found on the way (a bad line does not stop the others from being read).
enum ShardMapParser {
    /// The lines of a file and the problems of its individual lines.
    struct Parsed {
        /// Every line, in order. A line with a problem is kept as `.blank` content.
        var lines: [ShardMapLine]
        /// Whether the text ends with `\n` (the usual case).
        var finalNewline: Bool
        /// Problems of single lines, in line order (overlaps are found later).
        var problems: [ShardMapError]
    }

    static func parse(_ text: String, fileName: String) -> Parsed {
        let (texts, finalNewline) = splitLines(text)
        var lines: [ShardMapLine] = []
        lines.reserveCapacity(texts.count)
        var problems: [ShardMapError] = []
        for (index, lineText) in texts.enumerated() {
            do {
                let content = try parseLine(lineText, number: index + 1, fileName: fileName)
                lines.append(ShardMapLine(text: lineText, content: content))
            } catch {
                problems.append(error)
                lines.append(ShardMapLine(text: lineText, content: .blank))
            }
        }
        return Parsed(lines: lines, finalNewline: finalNewline, problems: problems)
    }

    /// Splits on `\n` only (a `\r` before it stays in the line, so CRLF files round-trip).
    static func splitLines(_ text: String) -> (lines: [String], finalNewline: Bool) {
        guard !text.isEmpty else { return ([], false) }
        var pieces = text.utf8.split(
            separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let finalNewline = text.utf8.last == UInt8(ascii: "\n")
        if finalNewline { pieces.removeLast() }
        // Cut at an ASCII byte, so every piece is whole UTF-8.
        return (pieces.map { String(Substring($0)) }, finalNewline)
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\u{FEFF}"
    }

    /// One line: blank, `# comment`, or `FIRST-LAST  URL  [# comment]`.
    static func parseLine(
        _ text: String, number: Int, fileName: String
    ) throws(ShardMapError) -> ShardMapLine.Content {
        var scalars = Substring(text).unicodeScalars
        if scalars.last == "\r" { scalars = scalars.dropLast() }
        guard let start = scalars.firstIndex(where: { !isSpace($0) }) else { return .blank }
        if scalars[start] == "#" { return .comment }

        let boundsEnd = scalars[start...].firstIndex(where: isSpace) ?? scalars.endIndex
        let (first, last) = try parseBounds(
            String(scalars[start..<boundsEnd]), line: number, fileName: fileName)

        guard let urlStart = scalars[boundsEnd...].firstIndex(where: { !isSpace($0) }),
            scalars[urlStart] != "#"
        else { throw .missingURL(file: fileName, line: number) }
        let urlEnd = scalars[urlStart...].firstIndex(where: isSpace) ?? scalars.endIndex
        let endpoint: ShardEndpoint
        do {
            endpoint = try ShardEndpointParser.parse(String(scalars[urlStart..<urlEnd]))
        } catch {
            throw .invalidURL(file: fileName, line: number, problem: error)
        }

        var comment: String?
        if let restStart = scalars[urlEnd...].firstIndex(where: { !isSpace($0) }) {
            guard scalars[restStart] == "#" else {
                let column = scalars.distance(from: scalars.startIndex, to: restStart) + 1
                throw .unexpectedText(file: fileName, line: number, column: column)
            }
            comment = String(scalars[restStart...])
        }
        return .range(
            ShardRange(first: first, last: last, endpoint: endpoint), trailingComment: comment)
    }

    /// `FIRST-LAST`: two decimal IDs in `0...Int64.max`, FIRST ≤ LAST.
    static func parseBounds(
        _ token: String, line: Int, fileName: String
    ) throws(ShardMapError) -> (Int64, Int64) {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        // A '-' in front of a number is a negative ID: "-5-10" or "5--10".
        if parts.count == 3, parts[0].isEmpty || parts[1].isEmpty {
            let negative = parts[0].isEmpty ? parts[1] : parts[2]
            if !negative.isEmpty, negative.utf8.allSatisfy(ShardEndpointParser.isDigit) {
                throw .idOutOfRange(file: fileName, line: line, text: "-" + shortened(negative))
            }
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .malformedRange(file: fileName, line: line, text: safeText(token[...]))
        }
        let first = try parseID(parts[0], line: line, fileName: fileName)
        let last = try parseID(parts[1], line: line, fileName: fileName)
        guard first <= last else {
            throw .reversedRange(file: fileName, line: line, first: first, last: last)
        }
        return (first, last)
    }

    private static func parseID(
        _ text: Substring, line: Int, fileName: String
    ) throws(ShardMapError) -> Int64 {
        guard text.utf8.allSatisfy(ShardEndpointParser.isDigit) else {
            throw .malformedNumber(file: fileName, line: line, text: safeText(text))
        }
        guard let id = Int64(text) else {
            throw .idOutOfRange(file: fileName, line: line, text: shortened(text))
        }
        return id
    }

    /// The text, when it is short and made only of digits and number punctuation
    /// (`- + _ , . '`); nil otherwise, since anything else could be a misplaced password.
    static func safeText(_ text: Substring) -> String? {
        guard text.unicodeScalars.count <= 40,
            text.utf8.allSatisfy({ byte in
                ShardEndpointParser.isDigit(byte) || "-+_,.'".utf8.contains(byte)
            })
        else { return nil }
        return String(text)
    }

    /// A digit string for a message, cut short when long.
    private static func shortened(_ digits: Substring) -> String {
        digits.count <= 24 ? String(digits) : String(digits.prefix(24)) + "…"
    }
}
