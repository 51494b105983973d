import EntryStore
import Foundation
import Metrics
import MetricsTestKit
import ShardRouter
import Testing
import TestSupport

/// A dead, a hung and a missing shard: every call returns within twice the command timeout (and
/// a margin for a loaded machine), the other shard is untouched, and the shard is used again
/// once it is back.
@Suite("EntryStore faults", .serialized, .ownThread)
struct ShardFaultTests {
    static let timeout = Duration.milliseconds(200)
    static let options = EntryStoreOptions(
        connectTimeout: timeout, commandTimeout: timeout, firstPause: .milliseconds(100), maximumPause: .milliseconds(400))
    /// How long a call may take: twice the timeout, and 2 s for a loaded machine (the suite runs
    /// in parallel on 2 cores). A call that waited for a hung server would take the whole pause
    /// (`hungPause`, twice this bound), so the bound still tells the two apart.
    static let bound = timeout * 2 + .seconds(2)
    static let hungPause = bound * 2

    static func store(_ a: String, _ b: String, metrics: MetricsFactory = MetricsSystem.factory) throws -> EntryStore {
        EntryStore(map: try ShardMap(parsing: "0-999 \(a)\n1000-1999 \(b)\n"), options: options, metrics: metrics)
    }

    /// Runs `body` and returns its result and how long it took.
    static func timed<T>(_ body: () async -> T) async -> (T, Duration) {
        let start = ContinuousClock.now
        let result = await body()
        return (result, ContinuousClock.now - start)
    }

    /// Asks until the shard answers again (the breaker lets a probe through after its pause).
    static func waitUntilUsed(_ store: EntryStore, feed: Int64) async -> Bool {
        await waitUntil(timeout: .seconds(30), every: .milliseconds(50)) {
            await store.diff(feed: feed, keys: [1]).history != .unknown
        }
    }

    @Test("a shard killed with SIGKILL: calls fail open at once, the other shard works, and it is used again after a restart")
    func killedShard() async throws {
        let a = try RedisServerProcess()
        let b = try RedisServerProcess()
        let metrics = TestMetrics()
        let store = try Self.store(a.url, b.url, metrics: metrics)
        await store.mark(feed: 1, document: [DocumentEntry(key: 1, date: nil)])
        #expect(await store.diff(feed: 1, keys: [1]).unseen.isEmpty)
        let shardA = [("shard", try ShardEndpoint(url: a.url).redactedURL)]

        a.kill()
        for _ in 0..<5 {
            let (result, elapsed) = await Self.timed { await store.diff(feed: 1, keys: [1, 2]) }
            #expect(result == DiffResult(unseen: [1, 2], history: .unknown))
            #expect(elapsed < Self.bound)
            let (marked, markTime) = await Self.timed { await store.mark(feed: 1, document: [DocumentEntry(key: 2, date: nil)]) }
            #expect(!marked)
            #expect(markTime < Self.bound)
        }
        let (other, otherTime) = await Self.timed { await store.diff(feed: 1500, keys: [1]) }
        #expect(other.history != .unknown)
        #expect(otherTime < Self.bound)
        #expect((store.skippedOperations.first { $0.key.contains("\(a.port)") }?.value ?? 0) >= 5)
        #expect(try metrics.expectCounter("hubdiffer_store_skipped_operations_total", shardA).totalValue >= 5)
        #expect(try metrics.expectGauge("hubdiffer_store_shard_up", shardA).lastValue == 0)

        try a.start()  // same port, empty (no persistence)
        #expect(await Self.waitUntilUsed(store, feed: 1))
        #expect(try metrics.expectGauge("hubdiffer_store_shard_up", shardA).lastValue == 1)
    }

    @Test("a hung shard (CLIENT PAUSE) costs at most twice the command timeout, then is used again")
    func hungShard() async throws {
        let a = try RedisServerProcess()
        let b = try RedisServerProcess()
        let store = try Self.store(a.url, b.url)
        #expect(await store.diff(feed: 1, keys: [1]).history == .new)

        // Every client of the shard waits `hungPause` for its reply (the redis-cli call itself returns).
        let pause = Self.hungPause.components.seconds * 1000 + Self.hungPause.components.attoseconds / 1_000_000_000_000_000
        #expect(try a.command(["CLIENT", "PAUSE", String(pause), "ALL"]) == "OK")

        let (result, elapsed) = await Self.timed { await store.diff(feed: 1, keys: [1]) }
        #expect(result.history == .unknown)
        #expect(elapsed < Self.bound)
        let (other, otherTime) = await Self.timed { await store.diff(feed: 1500, keys: [1]) }
        #expect(other.history != .unknown)
        #expect(otherTime < Self.bound)

        // Once the pause is over.
        #expect(await Self.waitUntilUsed(store, feed: 1))
    }

    @Test("a port where nothing listens fails open at once")
    func nothingListening() async throws {
        let b = try RedisServerProcess()
        let port = try RedisServerProcess.freePort()
        let store = try Self.store("redis://127.0.0.1:\(port)/0", b.url)
        for _ in 0..<3 {
            let (result, elapsed) = await Self.timed { await store.diff(feed: 3, keys: [7]) }
            #expect(result == DiffResult(unseen: [7], history: .unknown))
            #expect(elapsed < Self.bound)
        }
        #expect(await store.diff(feed: 1003, keys: [7]).history == .new)
    }
}
