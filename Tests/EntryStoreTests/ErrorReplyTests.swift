import EntryStore
import Foundation
import Metrics
import MetricsTestKit
import ShardRouter
import Testing
import TestSupport

/// Error replies are failures of their operation, reported once per shard and kind; a
/// connection the server closed while idle is retried, not taken for an outage.
@Suite("EntryStore error replies", .serialized, .ownThread)
struct ErrorReplyTests {
    static func store(_ server: RedisServerProcess, metrics: TestMetrics, log: LogRecord) throws -> EntryStore {
        EntryStore(
            map: try ShardMap(parsing: "0-999 \(server.url)\n"), options: ShardFaultTests.options, logger: log.logger(),
            metrics: metrics)
    }

    static func shard(_ server: RedisServerProcess) throws -> (String, String) {
        ("shard", try ShardEndpoint(url: server.url).redactedURL)
    }

    @Test("maxmemory reached (OOM): marks fail, reads still diff exactly, one error line, the metric counts each refusal")
    func outOfMemory() async throws {
        let server = try RedisServerProcess()
        let metrics = TestMetrics()
        let log = LogRecord()
        let store = try Self.store(server, metrics: metrics, log: log)
        #expect(await store.mark(feed: 1, document: [DocumentEntry(key: 1, date: nil)]))
        let saved = FeedState(etag: "\"v1\"", peak: RetentionPeak(entries: 200, at: Date(timeIntervalSince1970: 1_700_000_000)))
        #expect(await store.save(saved, feed: 1))

        #expect(try server.command(["CONFIG", "SET", "maxmemory", "1"]) == "OK")
        for round in 0..<5 {
            let marked = await store.mark(feed: 1, document: [DocumentEntry(key: UInt64(10 + round), date: nil)])
            #expect(!marked, "an OOM reply was taken for success")
            #expect(!(await store.save(FeedState(etag: "x"), feed: 1)))
            // Reads are served: the diff stays exact.
            let diff = await store.diff(feed: 1, keys: [1, 99])
            #expect(diff.history == .known && diff.unseen == [99])
        }
        let shard = try Self.shard(server)
        #expect(try metrics.expectCounter("hubdiffer_store_errors_total", [shard, ("kind", "oom")]).totalValue >= 10)
        #expect(try metrics.expectGauge("hubdiffer_store_shard_writable", [shard]).lastValue == 0)
        #expect(try metrics.expectGauge("hubdiffer_store_shard_up", [shard]).lastValue == 1)
        let lines = log.messages(at: .error).filter { $0.contains("out of memory") }
        #expect(lines.count == 1, "\(log.messages(at: .error))")
        #expect(try server.command(["ZCARD", "e:1"]) == "1")
        // The refused save left the state whole (DEL and HSET in one transaction).
        #expect(await store.readState(feed: 1) == .present(saved))
        #expect(await store.readState(feed: 2) == .absent)

        #expect(try server.command(["CONFIG", "SET", "maxmemory", "0"]) == "OK")
        #expect(await store.mark(feed: 1, document: [DocumentEntry(key: 10, date: nil)]))
        #expect(try metrics.expectGauge("hubdiffer_store_shard_writable", [shard]).lastValue == 1)
        #expect(log.messages(at: .notice).contains("shard accepts writes again"))
    }

    @Test("a key of the wrong type fails that operation only: the shard stays up, the kind is counted")
    func wrongType() async throws {
        let server = try RedisServerProcess()
        let metrics = TestMetrics()
        let log = LogRecord()
        let store = try Self.store(server, metrics: metrics, log: log)
        try server.command(["SET", "e:5", "not a set"])
        let diff = await store.diff(feed: 5, keys: [1])
        #expect(diff.history == .unknown && diff.unseen == [1])
        #expect(!(await store.mark(feed: 5, document: [DocumentEntry(key: 1, date: nil)])))
        #expect(await store.diff(feed: 6, keys: [1]).history == .new)
        let shard = try Self.shard(server)
        #expect(try metrics.expectCounter("hubdiffer_store_errors_total", [shard, ("kind", "wrongtype")]).totalValue >= 2)
        #expect(try metrics.expectGauge("hubdiffer_store_shard_up", [shard]).lastValue == 1)
        #expect(log.messages(at: .warning).filter { $0.contains("WRONGTYPE") }.count == 1)
    }

    @Test("an idle connection closed by the server (timeout 1) is retried on a fresh one: no outage, no skipped call")
    func idleTimeout() async throws {
        let server = try RedisServerProcess()
        let metrics = TestMetrics()
        let log = LogRecord()
        let store = try Self.store(server, metrics: metrics, log: log)
        #expect(try server.command(["CONFIG", "SET", "timeout", "1"]) == "OK")
        #expect(await store.mark(feed: 2, document: [DocumentEntry(key: 1, date: nil)]))
        let shard = try Self.shard(server)
        for _ in 0..<2 {
            // Wait until the server has closed the store's idle connection (its client list
            // shows only the redis-cli asking), with a deadline.
            try await waitUntil(timeout: .seconds(20), every: .milliseconds(100)) {
                try server.command(["CLIENT", "LIST"]).split(separator: "\n").count <= 1
            }
            let diff = await store.diff(feed: 2, keys: [1, 2])
            #expect(diff.history == .known && diff.unseen == [2], "the closed connection was taken for an outage")
        }
        #expect(store.skippedOperations.values.allSatisfy { $0 == 0 })
        #expect(try metrics.expectGauge("hubdiffer_store_shard_up", [shard]).lastValue == 1)
        #expect(try metrics.expectCounter("hubdiffer_store_errors_total", [shard, ("kind", "closed")]).totalValue == 2)
        #expect(log.messages(at: .notice).filter { $0.contains("closed an idle connection") }.count == 1)
    }
}
