import FeedParsing

/// New entries of one feed, as JSON objects of the entry schema (README, "Entry schema"), in
/// document order, held in one buffer: each object followed by a line feed, which is what the
/// stdout sink writes as it is (no copy per entry on the way).
public struct SinkBatch: Sendable {
    public let feed: Int64
    /// The entries' JSON, UTF-8, each object followed by a line feed.
    public let lines: [UInt8]
    /// Where each entry's line feed is in ``lines``.
    private let lineEnds: [Int]

    /// The entries of `feed`, written as ``FeedJSON`` writes them.
    public init(feed: Int64, entries: [Entry]) {
        self.feed = feed
        (lines, lineEnds) = FeedJSON.lines(entries, feedID: feed)
    }

    /// The entries (JSON, one object each) of `feed`.
    public init(feed: Int64, entries: [[UInt8]]) {
        self.feed = feed
        var lines: [UInt8] = []
        lines.reserveCapacity(entries.reduce(0) { $0 + $1.count + 1 })
        var lineEnds: [Int] = []
        lineEnds.reserveCapacity(entries.count)
        for entry in entries {
            lines.append(contentsOf: entry)
            lineEnds.append(lines.count)
            lines.append(UInt8(ascii: "\n"))
        }
        self.lines = lines
        self.lineEnds = lineEnds
    }

    /// The number of entries.
    public var count: Int { lineEnds.count }

    /// Calls `body` with each entry's JSON (without its line feed), in order.
    public func forEachEntry(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        lines.withUnsafeBufferPointer { all in
            var start = 0
            for end in lineEnds {
                body(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end + 1
            }
        }
    }
}

/// Where the daemon sends new entries. A poll marks its entries as seen only after ``deliver(_:)``
/// returned true: deliver before mark, so after a crash an entry may go out twice, never zero
/// times.
public protocol EntrySink: Sendable {
    /// Sends `batch`; returns once it was accepted (true), or when the sink gave up on it
    /// (false: the entries stay unmarked and the feed's next poll finds them new again).
    /// A sink may hold the batch to send it with others; it then returns once that send ended.
    func deliver(_ batch: SinkBatch) async -> Bool

    /// Sends whatever is held, waiting at most until `deadline`. Called once, at shutdown;
    /// batches still held then are answered false.
    func flush(deadline: ContinuousClock.Instant) async

    /// The sink for log lines, with any password redacted.
    var description: String { get }
}

/// Why a sink URL cannot be used.
public struct SinkURLError: Error, CustomStringConvertible {
    public let description: String
}
