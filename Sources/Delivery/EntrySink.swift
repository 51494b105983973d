/// New entries of one feed, as JSON objects of the entry schema (README, "Entry schema"),
/// one string each, in document order.
public struct SinkBatch: Sendable {
    public let feed: Int64
    /// Each entry's JSON, UTF-8 (``FeedJSON/entry(_:feedID:)``).
    public let entries: [[UInt8]]

    /// The entries (JSON, one object each) of `feed`.
    public init(feed: Int64, entries: [[UInt8]]) {
        self.feed = feed
        self.entries = entries
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
