/// The whole-map rule: no feed ID may belong to two ranges.
enum ShardMapValidation {
    /// One range and the 1-based number of its line.
    struct Entry {
        var range: ShardRange
        var line: Int
    }

    /// Every range that shares IDs with another, reported on the later of the two lines
    /// (`duplicateRange` when the bounds are equal), at most one problem a line, in line order.
    static func overlaps(_ entries: [Entry], fileName: String) -> [ShardMapError] {
        let sorted = entries.sorted {
            ($0.range.first, $0.line) < ($1.range.first, $1.line)
        }
        guard var reach = sorted.first else { return [] }  // the range reaching furthest so far
        var problems: [Int: ShardMapError] = [:]
        for entry in sorted.dropFirst() {
            if entry.range.first <= reach.range.last {
                let (later, earlier) = entry.line > reach.line ? (entry, reach) : (reach, entry)
                let problem: ShardMapError =
                    later.range.bounds == earlier.range.bounds
                    ? .duplicateRange(
                        file: fileName, line: later.line, first: later.range.first,
                        last: later.range.last, otherLine: earlier.line)
                    : .overlappingRanges(
                        file: fileName, line: later.line, first: later.range.first,
                        last: later.range.last, otherLine: earlier.line,
                        otherFirst: earlier.range.first, otherLast: earlier.range.last)
                if problems[later.line] == nil { problems[later.line] = problem }
            }
            if entry.range.last > reach.range.last { reach = entry }
        }
        return problems.keys.sorted().compactMap { problems[$0] }
    }
}
