import Metrics
import Scheduler

/// The daemon's own metrics (the store and the sinks report theirs): polls by outcome, new
/// entries, fetch latency, scheduler lag, and the depth of each stage.
public struct DaemonMetrics: Sendable {
    public let newEntries: Counter
    public let fetchDuration: Metrics.Timer
    public let schedulerLag: Metrics.Timer
    public let inFlight: Gauge
    public let parseQueue: Gauge
    public let sinkWaiting: Gauge
    public let feeds: Gauge
    public let gone: Gauge
    /// The stand-in for sets out of reach (``UnconfirmedEntries``, which counts its own
    /// overflows): keys held and an estimate of their bytes.
    public let unconfirmedEntries: Gauge
    public let unconfirmedBytes: Gauge
    /// Polls waiting for their host, how long they waited, and hosts backed off.
    public let hostWaiting: Gauge
    public let hostWait: Metrics.Timer
    public let hostsBackedOff: Gauge
    /// Bytes of bodies in flight, and the budget for them.
    public let bodyBudgetUsed: Gauge
    public let bodyBudgetLimit: Gauge
    /// `hubdiffer_pings_total{result}`, one counter per result (made once: a flood of pings
    /// costs a lookup each, and unknown feeds add no series).
    private let pings: [String: Counter]
    private let factory: MetricsFactory

    public init(factory: MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        newEntries = Counter(label: "hubdiffer_new_entries_total", factory: factory)
        fetchDuration = Metrics.Timer(label: "hubdiffer_fetch_duration_seconds", factory: factory)
        schedulerLag = Metrics.Timer(label: "hubdiffer_scheduler_lag_seconds", factory: factory)
        inFlight = Gauge(label: "hubdiffer_polls_in_flight", factory: factory)
        parseQueue = Gauge(label: "hubdiffer_queue_depth", dimensions: [("stage", "parse")], factory: factory)
        sinkWaiting = Gauge(label: "hubdiffer_queue_depth", dimensions: [("stage", "sink")], factory: factory)
        feeds = Gauge(label: "hubdiffer_feeds", dimensions: [("state", "scheduled")], factory: factory)
        gone = Gauge(label: "hubdiffer_feeds", dimensions: [("state", "gone")], factory: factory)
        unconfirmedEntries = Gauge(label: "hubdiffer_unconfirmed_entries", factory: factory)
        unconfirmedBytes = Gauge(label: "hubdiffer_unconfirmed_bytes", factory: factory)
        unconfirmedEntries.record(0)
        unconfirmedBytes.record(0)
        hostWaiting = Gauge(label: "hubdiffer_queue_depth", dimensions: [("stage", "host")], factory: factory)
        hostWait = Metrics.Timer(label: "hubdiffer_host_wait_seconds", factory: factory)
        hostsBackedOff = Gauge(label: "hubdiffer_hosts_backed_off", factory: factory)
        bodyBudgetUsed = Gauge(label: "hubdiffer_body_budget_bytes", dimensions: [("state", "used")], factory: factory)
        bodyBudgetLimit = Gauge(label: "hubdiffer_body_budget_bytes", dimensions: [("state", "limit")], factory: factory)
        pings = Dictionary(
            uniqueKeysWithValues: Self.pingResults.map {
                ($0, Counter(label: "hubdiffer_pings_total", dimensions: [("result", $0)], factory: factory))
            })
        hostWaiting.record(0)
        hostsBackedOff.record(0)
        bodyBudgetUsed.record(0)
    }

    /// `hubdiffer_body_budget_waits_total{stage}`: poll_start (the loop found the budget spent
    /// with polls due; counted once per wait) or transfer (a transfer paused for budget).
    public func countBudgetWait(stage: String, by count: Int = 1) {
        Counter(label: "hubdiffer_body_budget_waits_total", dimensions: [("stage", stage)], factory: factory).increment(by: count)
    }

    public func recordUnconfirmed(_ usage: (feeds: Int, keys: Int, bytes: Int)) {
        unconfirmedEntries.record(usage.keys)
        unconfirmedBytes.record(usage.bytes)
    }

    /// `hubdiffer_polls_total{outcome}`: not_modified, unchanged, changed, first_poll (the
    /// backlog recorded), store_unavailable (read, but the feed's shard could not tell what is
    /// new), not_a_feed, gone, throttled, sink_failed, host_busy (waited for its host past half
    /// the fetch timeout), host_backoff (its host is backed off), or the fetch failure's kind.
    public func countPoll(_ outcome: String) {
        Counter(label: "hubdiffer_polls_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// The results a ping is counted under: scheduled (it made the feed due), in_flight (the
    /// feed is polled again after the poll under way), coalesced (merged into a ping-triggered
    /// poll already pending), unknown (no such feed), gone (the feed answered 410).
    public static let pingResults = ["scheduled", "in_flight", "coalesced", "unknown", "gone"]

    /// `hubdiffer_feed_changes_total{change}`: feeds changed through the control endpoint —
    /// added, changed, unchanged, revived (was gone), removed.
    public func countFeedChange(_ change: String) {
        Counter(label: "hubdiffer_feed_changes_total", dimensions: [("change", change)], factory: factory).increment()
    }

    /// `hubdiffer_feeds_refused_total{source}`: feeds outside `--feed-ids`, refused from the
    /// feeds file (counted at each load) or the API.
    public func countRefusedFeeds(source: String, by count: Int = 1) {
        guard count > 0 else { return }
        Counter(label: "hubdiffer_feeds_refused_total", dimensions: [("source", source)], factory: factory).increment(by: count)
    }

    /// Counts one ping in `hubdiffer_pings_total{result}` (see ``pingResults``).
    public func countPing(_ result: PingResult) {
        let label: String
        switch result {
        case .scheduled: label = "scheduled"
        case .alreadyInFlight: label = "in_flight"
        case .coalesced: label = "coalesced"
        case .unknownFeed: label = "unknown"
        case .gone: label = "gone"
        }
        pings[label]?.increment()
    }
}
