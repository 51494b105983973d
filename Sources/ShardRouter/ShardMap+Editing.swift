/// Edits that keep the map valid: each returns a new map, or throws and changes nothing.
///
/// Ranges are named by their exact bounds, as a line lists them. Lines an edit rewrites take
/// the canonical form `FIRST-LAST  URL` and keep their trailing `# comment`; every other line
/// keeps its text.
extension ShardMap {
    /// Adds a range on `endpoint`. The new line goes right after the line of the range before
    /// it (by IDs), or above the first range and the comment lines directly over it, or at the
    /// end of a file with no ranges.
    ///
    /// - Throws: ``ShardMapError/invalidBounds(first:last:)`` for negative IDs,
    ///   ``ShardMapError/overlapsExisting(file:first:last:line:otherFirst:otherLast:)`` when
    ///   the range shares IDs with one already in the map.
    public func adding(
        range bounds: ClosedRange<Int64>, endpoint: ShardEndpoint
    ) throws(ShardMapError) -> ShardMap {
        try Self.check(bounds)
        if let other = ranges.firstIndex(where: { $0.bounds.overlaps(bounds) }) {
            throw .overlapsExisting(
                file: fileName, first: bounds.lowerBound, last: bounds.upperBound,
                line: lineIndex(ofRangeAt: other) + 1, otherFirst: ranges[other].first,
                otherLast: ranges[other].last)
        }
        let before = ranges.firstIndex { $0.first > bounds.lowerBound } ?? ranges.count
        var insertion: Int
        if before > 0 {
            insertion = lineIndex(ofRangeAt: before - 1) + 1
        } else if !ranges.isEmpty {
            insertion = lineIndex(ofRangeAt: 0)
            while insertion > 0, lines[insertion - 1].isComment { insertion -= 1 }
        } else {
            insertion = lines.count
        }
        let range = ShardRange(
            first: bounds.lowerBound, last: bounds.upperBound, endpoint: endpoint)
        var newLines = lines
        newLines.insert(canonicalLine(range, trailingComment: nil), at: insertion)
        let endsWithNewline = finalNewline || insertion == lines.count
        return try ShardMap(lines: newLines, finalNewline: endsWithNewline, fileName: fileName)
    }

    /// Removes the range with exactly these bounds (its line, trailing comment included);
    /// its IDs become a gap.
    ///
    /// - Throws: ``ShardMapError/noSuchRange(file:first:last:)``.
    public func removing(range bounds: ClosedRange<Int64>) throws(ShardMapError) -> ShardMap {
        let index = try exactRange(bounds)
        var newLines = lines
        newLines.remove(at: lineIndex(ofRangeAt: index))
        return try ShardMap(lines: newLines, finalNewline: finalNewline, fileName: fileName)
    }

    /// Splits the range with exactly these bounds into `FIRST...(at-1)` and `at...LAST`, both
    /// on its server, on two lines where it stood (each keeps its trailing comment).
    ///
    /// - Throws: ``ShardMapError/noSuchRange(file:first:last:)``,
    ///   ``ShardMapError/splitPointOutside(file:line:first:last:at:)`` unless
    ///   `FIRST < at ≤ LAST`.
    public func splitting(
        range bounds: ClosedRange<Int64>, at splitPoint: Int64
    ) throws(ShardMapError) -> ShardMap {
        let index = try exactRange(bounds)
        let range = ranges[index]
        let lineIndex = lineIndex(ofRangeAt: index)
        guard range.first < splitPoint, splitPoint <= range.last else {
            throw .splitPointOutside(
                file: fileName, line: lineIndex + 1, first: range.first, last: range.last,
                at: splitPoint)
        }
        let comment = lines[lineIndex].trailingComment
        let lower = ShardRange(first: range.first, last: splitPoint - 1, endpoint: range.endpoint)
        let upper = ShardRange(first: splitPoint, last: range.last, endpoint: range.endpoint)
        var newLines = lines
        newLines.replaceSubrange(
            lineIndex...lineIndex,
            with: [
                canonicalLine(lower, trailingComment: comment),
                canonicalLine(upper, trailingComment: comment),
            ])
        return try ShardMap(lines: newLines, finalNewline: finalNewline, fileName: fileName)
    }

    /// Merges two adjacent ranges on the same server (in either order) into one, on the line
    /// of the lower range; the upper range's line goes. The merged line keeps the lower
    /// line's trailing comment, or else the upper one's.
    ///
    /// - Throws: ``ShardMapError/noSuchRange(file:first:last:)``,
    ///   ``ShardMapError/notAdjacent(file:first:last:otherFirst:otherLast:)`` unless one ends
    ///   right before the other starts,
    ///   ``ShardMapError/differentServers(file:line:first:last:otherLine:otherFirst:otherLast:)``.
    public func merging(
        _ a: ClosedRange<Int64>, _ b: ClosedRange<Int64>
    ) throws(ShardMapError) -> ShardMap {
        let indexA = try exactRange(a)
        let indexB = try exactRange(b)
        let (low, high) = indexA <= indexB ? (indexA, indexB) : (indexB, indexA)
        let lower = ranges[low]
        let upper = ranges[high]
        guard low != high, lower.last < upper.first, lower.last + 1 == upper.first else {
            throw .notAdjacent(
                file: fileName, first: lower.first, last: lower.last, otherFirst: upper.first,
                otherLast: upper.last)
        }
        let lowerLine = lineIndex(ofRangeAt: low)
        let upperLine = lineIndex(ofRangeAt: high)
        guard lower.endpoint == upper.endpoint else {
            throw .differentServers(
                file: fileName, line: lowerLine + 1, first: lower.first, last: lower.last,
                otherLine: upperLine + 1, otherFirst: upper.first, otherLast: upper.last)
        }
        let merged = ShardRange(first: lower.first, last: upper.last, endpoint: lower.endpoint)
        let comment = lines[lowerLine].trailingComment ?? lines[upperLine].trailingComment
        var newLines = lines
        newLines[lowerLine] = canonicalLine(merged, trailingComment: comment)
        newLines.remove(at: upperLine)
        return try ShardMap(lines: newLines, finalNewline: finalNewline, fileName: fileName)
    }

    /// Moves the range with exactly these bounds to `endpoint`, keeping its line's place and
    /// trailing comment. Setting the server it already has changes nothing (not even the
    /// line's text).
    ///
    /// - Throws: ``ShardMapError/noSuchRange(file:first:last:)``.
    public func setting(
        range bounds: ClosedRange<Int64>, endpoint: ShardEndpoint
    ) throws(ShardMapError) -> ShardMap {
        let index = try exactRange(bounds)
        let range = ranges[index]
        guard range.endpoint != endpoint else { return self }
        let lineIndex = lineIndex(ofRangeAt: index)
        var newLines = lines
        newLines[lineIndex] = canonicalLine(
            ShardRange(first: range.first, last: range.last, endpoint: endpoint),
            trailingComment: lines[lineIndex].trailingComment)
        return try ShardMap(lines: newLines, finalNewline: finalNewline, fileName: fileName)
    }

    // MARK: Helpers

    private static func check(_ bounds: ClosedRange<Int64>) throws(ShardMapError) {
        guard bounds.lowerBound >= 0 else {
            throw .invalidBounds(first: bounds.lowerBound, last: bounds.upperBound)
        }
    }

    /// The index in ``ranges`` of the range with exactly these bounds, or the error naming it.
    private func exactRange(_ bounds: ClosedRange<Int64>) throws(ShardMapError) -> Int {
        guard let index = exactIndex(of: bounds) else {
            throw .noSuchRange(file: fileName, first: bounds.lowerBound, last: bounds.upperBound)
        }
        return index
    }

    private func canonicalLine(_ range: ShardRange, trailingComment: String?) -> ShardMapLine {
        .canonical(range, trailingComment: trailingComment, carriageReturn: usesCRLF)
    }
}
