/// The feed IDs a daemon owns (`hubdiffer run --feed-ids 0-499999,1000000-1499999`): ranges in
/// the `FIRST-LAST` text of `shards.conf`, comma-separated, sorted and merged.
public struct FeedIDRanges: Sendable, Equatable, CustomStringConvertible {
    /// The ranges, sorted, none overlapping or touching.
    public let ranges: [ClosedRange<Int64>]

    /// Parses `FIRST-LAST[,FIRST-LAST…]` (a single ID `N` means `N-N`).
    public init(parsing text: String) throws(ShardRangeTextProblem) {
        var ranges: [ClosedRange<Int64>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.contains("-") {
                ranges.append(try ShardRangeText.bounds(trimmed))
            } else {
                let id = try ShardRangeText.feedID(trimmed)
                ranges.append(id...id)
            }
        }
        var merged: [ClosedRange<Int64>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound || (last.upperBound < Int64.max && range.lowerBound == last.upperBound + 1) {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    /// Whether `feed` is one of the IDs.
    public func contains(_ feed: Int64) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < feed { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].contains(feed)
    }

    /// `FIRST-LAST,FIRST-LAST…`, as parsed.
    public var description: String { ranges.map(\.shardText).joined(separator: ",") }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}

extension Set where Element == Character {
    fileprivate static let whitespaces: Set<Character> = [" ", "\t"]
}
