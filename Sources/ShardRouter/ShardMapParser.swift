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

    /// `FIRST-LAST` (see ``ShardRangeText``), its problems told with the file and line.
    static func parseBounds(
        _ token: String, line: Int, fileName: String
    ) throws(ShardMapError) -> (Int64, Int64) {
        do {
            let bounds = try ShardRangeText.bounds(token)
            return (bounds.lowerBound, bounds.upperBound)
        } catch {
            switch error {
            case .negativeID(let text), .tooLarge(let text): throw .idOutOfRange(file: fileName, line: line, text: text)
            case .notARange(let text): throw .malformedRange(file: fileName, line: line, text: text)
            case .notDigits(let text): throw .malformedNumber(file: fileName, line: line, text: text)
            case .reversed(let first, let last): throw .reversedRange(file: fileName, line: line, first: first, last: last)
            }
        }
    }
}
