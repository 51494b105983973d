/// What `hubdiffer shards check` says of a map file before it asks the servers.
extension ShardMap {
    /// Every problem of the map file at `path`, each with its line (``problems(in:fileName:)``);
    /// nil when the file cannot be read or is not UTF-8 (then ``load(from:)`` says why).
    public static func problems(inFileAt path: String) -> [ShardMapError]? {
        guard case .success(let bytes) = FileSystem.readAll(path), let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        return problems(in: text, fileName: path)
    }

    /// `no gaps`, or `2 gaps (unrouted IDs: 100-199, 300-…)`, naming the first three gaps.
    public var gapSummary: String {
        guard !gaps.isEmpty else { return "no gaps" }
        let named = gaps.prefix(3).map(\.shardText).joined(separator: ", ") + (gaps.count > 3 ? ", …" : "")
        return "\(gaps.count) gap\(gaps.count == 1 ? "" : "s") (unrouted IDs: \(named))"
    }
}

extension ShardMap {
    /// A stretch of feed IDs: a range of the map, or a gap between ranges.
    public enum Segment: Sendable, Equatable {
        case range(ShardRange)
        case gap(ClosedRange<Int64>)

        /// The feed IDs it covers.
        public var bounds: ClosedRange<Int64> {
            switch self {
            case .range(let range): range.bounds
            case .gap(let gap): gap
            }
        }
    }

    /// The ranges and the gaps together, in ID order: `0...Int64.max` once.
    public var segments: [Segment] {
        (ranges.map(Segment.range) + gaps.map(Segment.gap)).sorted { $0.bounds.lowerBound < $1.bounds.lowerBound }
    }
}
