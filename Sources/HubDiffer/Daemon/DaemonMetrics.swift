import Metrics

/// The daemon's own metrics (the store and the sinks report theirs): polls by outcome, new
/// entries, fetch latency, scheduler lag, and the depth of each stage.
struct DaemonMetrics: Sendable {
    let newEntries: Counter
    let fetchDuration: Metrics.Timer
    let schedulerLag: Metrics.Timer
    let inFlight: Gauge
    let parseQueue: Gauge
    let sinkWaiting: Gauge
    let feeds: Gauge
    let gone: Gauge
    private let factory: MetricsFactory

    init(factory: MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        newEntries = Counter(label: "hubdiffer_new_entries_total", factory: factory)
        fetchDuration = Metrics.Timer(label: "hubdiffer_fetch_duration_seconds", factory: factory)
        schedulerLag = Metrics.Timer(label: "hubdiffer_scheduler_lag_seconds", factory: factory)
        inFlight = Gauge(label: "hubdiffer_polls_in_flight", factory: factory)
        parseQueue = Gauge(label: "hubdiffer_queue_depth", dimensions: [("stage", "parse")], factory: factory)
        sinkWaiting = Gauge(label: "hubdiffer_queue_depth", dimensions: [("stage", "sink")], factory: factory)
        feeds = Gauge(label: "hubdiffer_feeds", dimensions: [("state", "scheduled")], factory: factory)
        gone = Gauge(label: "hubdiffer_feeds", dimensions: [("state", "gone")], factory: factory)
    }

    /// `hubdiffer_polls_total{outcome}`: not_modified, unchanged, changed, not_a_feed, gone,
    /// throttled, sink_failed, or the fetch failure's kind.
    func countPoll(_ outcome: String) {
        Counter(label: "hubdiffer_polls_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }
}
