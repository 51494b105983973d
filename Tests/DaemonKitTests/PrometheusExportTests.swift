import DaemonKit
import Metrics
import Testing
import TestSupport

@Suite("Prometheus export", .ownThread)
struct PrometheusExportTests {
    private func lines(_ export: PrometheusExport) -> [String] {
        String(decoding: export.render(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func timersBecomeHistogramsInSecondsWithTheDefaultBuckets() {
        let export = PrometheusExport()
        let timer = Metrics.Timer(label: "hubdiffer_fetch_duration_seconds", dimensions: [("result", "ok")], factory: export.factory)
        timer.recordMilliseconds(30)
        timer.record(.seconds(45))
        let text = lines(export)
        #expect(text.contains("# TYPE hubdiffer_fetch_duration_seconds histogram"))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_bucket{result="ok",le="0.005"} 0"#))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_bucket{result="ok",le="0.05"} 1"#))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_bucket{result="ok",le="30.0"} 1"#))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_bucket{result="ok",le="60.0"} 2"#))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_bucket{result="ok",le="+Inf"} 2"#))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_sum{result="ok"} 45.03"#))
        #expect(text.contains(#"hubdiffer_fetch_duration_seconds_count{result="ok"} 2"#))
        let buckets = text.filter { $0.hasPrefix("hubdiffer_fetch_duration_seconds_bucket") }
        #expect(buckets.count == PrometheusExport.defaultDurationBuckets.count + 1)
    }

    @Test func recordersBecomeHistogramsOfSecondsUnlessTheLabelHasBuckets() {
        let export = PrometheusExport(valueBucketsByLabel: ["hubdiffer_batch_size": [1, 10, 100]])
        let lag = Recorder(label: "hubdiffer_scheduler_lag_seconds", factory: export.factory)
        lag.record(0.2)
        let batch = Recorder(label: "hubdiffer_batch_size", factory: export.factory)
        batch.record(7)
        let text = lines(export)
        #expect(text.contains("# TYPE hubdiffer_scheduler_lag_seconds histogram"))
        #expect(text.contains(#"hubdiffer_scheduler_lag_seconds_bucket{le="0.1"} 0"#))
        #expect(text.contains(#"hubdiffer_scheduler_lag_seconds_bucket{le="0.25"} 1"#))
        #expect(text.contains(#"hubdiffer_scheduler_lag_seconds_bucket{le="60.0"} 1"#))
        #expect(text.contains(#"hubdiffer_batch_size_bucket{le="1.0"} 0"#))
        #expect(text.contains(#"hubdiffer_batch_size_bucket{le="10.0"} 1"#))
        #expect(text.filter { $0.hasPrefix("hubdiffer_batch_size_bucket") }.count == 4)
    }

    @Test func countersAndGaugesRender() {
        let export = PrometheusExport()
        Counter(label: "hubdiffer_polls_total", dimensions: [("outcome", "new")], factory: export.factory).increment(by: 3)
        Gauge(label: "hubdiffer_feeds", factory: export.factory).record(12)
        let text = lines(export)
        #expect(text.contains("# TYPE hubdiffer_polls_total counter"))
        #expect(text.contains(#"hubdiffer_polls_total{outcome="new"} 3"#))
        #expect(text.contains("# TYPE hubdiffer_feeds gauge"))
        #expect(text.contains("hubdiffer_feeds 12.0"))
    }

    @Test func twoExportsDoNotShareMetrics() {
        let first = PrometheusExport()
        let second = PrometheusExport()
        Counter(label: "only_in_first_total", factory: first.factory).increment()
        #expect(lines(first).contains("only_in_first_total 1"))
        #expect(lines(second).isEmpty)
    }

    @Test func metricsAreServedOverTheControlEndpoint() async throws {
        let export = PrometheusExport()
        Counter(label: "hubdiffer_pings_total", factory: export.factory).increment(by: 5)
        var routes = ControlRoutes()
        routes.add(.get, "/metrics") { _ in export.response() }
        let server = ControlServer(port: 0, routes: routes, logger: quietLogger)
        try server.start()
        defer { server.stop() }
        let response = try await TestHTTP.get(port: try #require(server.boundPort), "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.text.contains("hubdiffer_pings_total 5\n"))
    }
}
