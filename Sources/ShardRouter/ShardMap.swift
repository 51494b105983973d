/// The shard map: which Redis server holds the entries of which feed IDs, read from
/// `shards.conf`.
///
/// The file has one range a line, `FIRST-LAST  redis://[:PASSWORD@]HOST[:PORT][/DB]`, with
/// inclusive decimal feed IDs in `0...Int64.max`; blank lines, whole-line `#` comments and a
/// `# comment` after the URL are allowed and kept. Ranges may leave gaps (IDs in a gap are
/// unrouted) but never overlap.
///
/// A map is a value: the editing operations (``adding(range:endpoint:)`` and the others)
/// return a new, valid map or throw and leave this one as it was. ``rendered()`` gives the
/// file text back: byte for byte when nothing was edited, and with only the edited lines
/// rewritten (in the canonical form `FIRST-LAST  URL`) otherwise.
public struct ShardMap: Sendable, Equatable {
    /// The highest feed ID a range may hold.
    public static let maxFeedID = Int64.max

    /// The name used in messages, `shards.conf` or the path the map was loaded from.
    public let fileName: String
    /// The lines of the file, as written (edited lines in canonical form).
    let lines: [ShardMapLine]
    /// Whether the file ends with a newline.
    let finalNewline: Bool
    /// The ranges, sorted by their first ID.
    public let ranges: [ShardRange]
    /// For each of ``ranges``, the 0-based index of its line in `lines`.
    private let rangeLineIndices: [Int]

    /// Parses and validates the text of a shard map.
    ///
    /// - Parameters:
    ///   - text: the contents of `shards.conf`.
    ///   - fileName: the name to put in front of line numbers in messages.
    /// - Throws: the problem on the lowest line; ``problems(in:fileName:)`` lists them all.
    public init(parsing text: String, fileName: String = "shards.conf") throws(ShardMapError) {
        let parsed = ShardMapParser.parse(text, fileName: fileName)
        if let problem = Self.problems(parsed, fileName: fileName).first { throw problem }
        try self.init(lines: parsed.lines, finalNewline: parsed.finalNewline, fileName: fileName)
    }

    /// Every problem of a shard map's text, at most one a line, in line order; empty when the
    /// text is a valid map. For a checker that shows them all at once.
    public static func problems(in text: String, fileName: String = "shards.conf")
        -> [ShardMapError]
    {
        problems(ShardMapParser.parse(text, fileName: fileName), fileName: fileName)
    }

    private static func problems(
        _ parsed: ShardMapParser.Parsed, fileName: String
    ) -> [ShardMapError] {
        // A line with its own problem holds no range, so it is never in an overlap as well.
        let overlaps = ShardMapValidation.overlaps(
            entries(of: parsed.lines), fileName: fileName)
        guard !overlaps.isEmpty else { return parsed.problems }
        return (parsed.problems + overlaps).sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    }

    private static func entries(of lines: [ShardMapLine]) -> [ShardMapValidation.Entry] {
        lines.enumerated().compactMap { index, line in
            line.range.map { ShardMapValidation.Entry(range: $0, line: index + 1) }
        }
    }

    /// A map made of these lines, validated (no overlaps) and indexed for routing.
    init(lines: [ShardMapLine], finalNewline: Bool, fileName: String) throws(ShardMapError) {
        let entries = Self.entries(of: lines)
        if let problem = ShardMapValidation.overlaps(entries, fileName: fileName).first {
            throw problem
        }
        let sorted = entries.sorted { $0.range.first < $1.range.first }
        self.fileName = fileName
        self.lines = lines
        self.finalNewline = finalNewline
        self.ranges = sorted.map(\.range)
        self.rangeLineIndices = sorted.map { $0.line - 1 }
    }

    // MARK: Routing

    /// The range holding `feedID`, or nil when the ID lies in a gap (or is negative): an
    /// unrouted feed is not an error of the map. O(log n): a binary search over ``ranges``.
    public func route(_ feedID: Int64) -> ShardRange? {
        guard let index = rangeIndex(containing: feedID) else { return nil }
        return ranges[index]
    }

    /// The index in ``ranges`` of the range holding `feedID`.
    func rangeIndex(containing feedID: Int64) -> Int? {
        // `low` ends as the number of ranges whose first ID is at most `feedID`.
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = low + (high - low) / 2
            if ranges[middle].first <= feedID { low = middle + 1 } else { high = middle }
        }
        guard low > 0, feedID <= ranges[low - 1].last else { return nil }
        return low - 1
    }

    /// The distinct servers, in the order of the ranges they first appear in.
    public var endpoints: [ShardEndpoint] {
        var seen: Set<ShardEndpoint> = []
        return ranges.map(\.endpoint).filter { seen.insert($0).inserted }
    }

    /// The feed IDs in `0...Int64.max` that no range holds, as sorted closed ranges.
    public var gaps: [ClosedRange<Int64>] {
        var gaps: [ClosedRange<Int64>] = []
        var next: Int64? = 0  // the first ID not yet covered; nil past Int64.max
        for range in ranges {
            guard let start = next else { break }
            if range.first > start { gaps.append(start...(range.first - 1)) }
            next = range.last == Int64.max ? nil : range.last + 1
        }
        if let start = next { gaps.append(start...Int64.max) }
        return gaps
    }

    /// The 1-based line number of the range with exactly these bounds.
    public func lineNumber(of bounds: ClosedRange<Int64>) -> Int? {
        exactIndex(of: bounds).map { rangeLineIndices[$0] + 1 }
    }

    /// The index in ``ranges`` of the range with exactly these bounds.
    func exactIndex(of bounds: ClosedRange<Int64>) -> Int? {
        guard let index = rangeIndex(containing: bounds.lowerBound),
            ranges[index].bounds == bounds
        else { return nil }
        return index
    }

    /// The 0-based line index of `ranges[index]`.
    func lineIndex(ofRangeAt index: Int) -> Int { rangeLineIndices[index] }

    // MARK: Text

    /// The text of the file: the original lines, in their order and byte for byte, with
    /// edited lines in the canonical form `FIRST-LAST  URL`. Holds passwords: write it to the
    /// file, never to a log.
    public func rendered() -> String {
        var text = lines.map(\.text).joined(separator: "\n")
        if finalNewline { text += "\n" }
        return text
    }

    /// Whether the file's lines end with CRLF (edited lines then do too).
    var usesCRLF: Bool { lines.first?.text.utf8.last == UInt8(ascii: "\r") }
}

extension ShardMap: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `shards.conf: 3 ranges on 2 servers`. No URL, so no password.
    public var description: String {
        let rangeCount = ranges.count == 1 ? "1 range" : "\(ranges.count) ranges"
        let serverCount = endpoints.count == 1 ? "1 server" : "\(endpoints.count) servers"
        return "\(fileName): \(rangeCount) on \(serverCount)"
    }

    /// The ranges one a line, with redacted URLs: the password never shows.
    public var debugDescription: String {
        ([description] + ranges.map { "  " + $0.description }).joined(separator: "\n")
    }

    /// Reflection (`dump`, debuggers) sees the file name and the ranges, whose passwords show
    /// as `***`; never the raw lines.
    public var customMirror: Mirror {
        Mirror(self, children: ["fileName": fileName, "ranges": ranges], displayStyle: .struct)
    }
}
