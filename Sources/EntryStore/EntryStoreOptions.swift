/// Timeouts, the circuit breaker's pauses and the retention rule of an ``EntryStore``.
public struct EntryStoreOptions: Sendable {
    /// How long a connection attempt may take (default 300 ms).
    public var connectTimeout: Duration
    /// How long a round trip may take (default 300 ms).
    public var commandTimeout: Duration
    /// The first pause after a shard fails (default 250 ms); it doubles with each failed probe.
    public var firstPause: Duration
    /// The longest pause (default 30 s).
    public var maximumPause: Duration
    /// Each set keeps at most this many times the number of entries the feed serves…
    public var retentionMultiple: Int
    /// …and never fewer than this many (default 50).
    public var minimumRetention: Int

    public init(
        connectTimeout: Duration = .milliseconds(300), commandTimeout: Duration = .milliseconds(300),
        firstPause: Duration = .milliseconds(250), maximumPause: Duration = .seconds(30),
        retentionMultiple: Int = 3, minimumRetention: Int = 50
    ) {
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.firstPause = firstPause
        self.maximumPause = maximumPause
        self.retentionMultiple = retentionMultiple
        self.minimumRetention = minimumRetention
    }

    /// The retention bound for a feed whose document holds `entryCount` entries.
    /// Saturates at `Int.max` (no trimming).
    public func retention(forEntryCount entryCount: Int) -> Int {
        let (bound, overflow) = retentionMultiple.multipliedReportingOverflow(by: entryCount)
        return overflow ? .max : max(minimumRetention, bound)
    }
}
