import Logging
import Metrics

/// Reports a shard's errors: each one counted in `hubdiffer_store_errors_total{shard,kind}`,
/// and logged once per kind, not per call — again at most once a `quietPeriod` (default one
/// minute), saying how many of that kind were not logged since. An operator sees one line per
/// shard and kind, however many polls meet it.
///
/// Not thread-safe: its ``ShardWorker`` uses it on the shard's queue only.
final class StoreErrorReporter {
    private struct Said {
        var at: ContinuousClock.Instant
        var unsaid: Int
    }

    private let logger: Logger
    private let metrics: MetricsFactory
    private let shard: String
    private let quietPeriod: Duration
    private var counters: [StoreErrorKind: Counter] = [:]
    private var said: [StoreErrorKind: Said] = [:]

    /// How long a kind stays unlogged after its line, unless told otherwise.
    static let defaultQuietPeriod: Duration = .seconds(60)

    init(shard: String, logger: Logger, metrics: MetricsFactory, quietPeriod: Duration = defaultQuietPeriod) {
        self.shard = shard
        self.logger = logger
        self.metrics = metrics
        self.quietPeriod = quietPeriod
    }

    /// Counts `count` errors of `kind`; logs the first of them unless the kind was logged
    /// within the quiet period. `detail` is the reply's or the connection's own words.
    /// `logged` false only counts (the circuit breaker has its own line for a dead shard).
    func report(
        _ kind: StoreErrorKind, count: Int = 1, detail: String, logged: Bool = true, at now: ContinuousClock.Instant = .now
    ) {
        counter(kind).increment(by: count)
        guard logged else { return }
        if var last = said[kind], now - last.at < quietPeriod {
            last.unsaid += count
            said[kind] = last
            return
        }
        let unsaid = said[kind]?.unsaid ?? 0
        said[kind] = Said(at: now, unsaid: count - 1)
        var metadata: Logger.Metadata = ["kind": "\(kind)"]
        if unsaid > 0 { metadata["not_logged_since"] = "\(unsaid)" }
        switch kind.consequence {
        case .writesRefused: logger.error("\(kind.advice(detail))", metadata: metadata)
        case .shardDown, .operationFailed:
            kind == .closed ? logger.notice("\(kind.advice(detail))", metadata: metadata)
                : logger.warning("\(kind.advice(detail))", metadata: metadata)
        }
    }

    private func counter(_ kind: StoreErrorKind) -> Counter {
        if let counter = counters[kind] { return counter }
        let counter = Counter(
            label: "hubdiffer_store_errors_total", dimensions: [("shard", shard), ("kind", kind.label)], factory: metrics)
        counters[kind] = counter
        return counter
    }
}
