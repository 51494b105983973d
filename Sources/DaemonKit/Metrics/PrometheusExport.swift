import CoreMetrics
import Prometheus
import Synchronization

/// The daemon's metrics in Prometheus form: a collector registry of its own, the swift-metrics
/// factory that fills it, and the text exposition for `GET /metrics`.
///
/// swift-metrics types map as swift-prometheus 2 maps them: `Counter` → counter, `Gauge` and
/// `Meter` → gauge, `Timer` → histogram in seconds (``durationBuckets``), `Recorder` (aggregating)
/// → histogram of the recorded values (``valueBuckets``, also seconds by default, for lags).
/// Characters Prometheus names do not allow (`.` in `hubdiffer.fetch.seconds`) become `_`.
/// Tests make their own instance and pass ``factory`` to the metric initialisers; the daemon
/// calls ``bootstrapGlobal()`` once so that every library's metrics land here.
public final class PrometheusExport: Sendable {
    /// The registry the metrics live in.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    public let factory: PrometheusMetricsFactory

    /// `Content-Type` of the text exposition format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Buckets for durations, 5 ms to 60 s: from a local Redis round trip to a fetch at its timeout.
    public static let defaultDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60),
    ]
    /// ``defaultDurationBuckets`` in seconds, for `Recorder`s of seconds (the scheduler's lag).
    public static let defaultValueBuckets: [Double] = defaultDurationBuckets.map(seconds)

    /// An export with a fresh registry. `durationBuckets` apply to every `Timer` and
    /// `valueBuckets` to every aggregating `Recorder`, unless the metric's label has buckets
    /// of its own in `durationBucketsByLabel` / `valueBucketsByLabel`.
    public init(
        durationBuckets: [Duration] = PrometheusExport.defaultDurationBuckets,
        valueBuckets: [Double] = PrometheusExport.defaultValueBuckets,
        durationBucketsByLabel: [String: [Duration]] = [:],
        valueBucketsByLabel: [String: [Double]] = [:]
    ) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        factory.durationHistogramBuckets = durationBucketsByLabel
        factory.defaultValueHistogramBuckets = valueBuckets
        factory.valueHistogramBuckets = valueBucketsByLabel
        self.registry = registry
        self.factory = factory
    }

    /// Makes ``factory`` the process-wide swift-metrics backend (`MetricsSystem.bootstrap`).
    /// swift-metrics allows that once per process; a second call (from any export) throws
    /// instead of crashing. Metrics made before it go nowhere.
    public func bootstrapGlobal() throws(PrometheusExportError) {
        let first = Self.bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { throw .alreadyBootstrapped }
        MetricsSystem.bootstrap(factory)
    }

    private static let bootstrapped = Mutex(false)

    /// The text exposition of every metric in the registry.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// The answer to `GET /metrics`.
    public func response() -> ControlResponse {
        ControlResponse(status: 200, contentType: Self.contentType, body: render())
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Why the Prometheus export could not be set up.
public enum PrometheusExportError: Error, Equatable, CustomStringConvertible {
    /// `MetricsSystem.bootstrap` ran already in this process.
    case alreadyBootstrapped

    public var description: String {
        switch self {
        case .alreadyBootstrapped: "the global metrics system was bootstrapped already (once per process)"
        }
    }
}
