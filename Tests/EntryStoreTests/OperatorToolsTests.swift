import EntryStore
import Foundation
import RedisWire
import ShardRouter
import Testing
import TestSupport

/// What the operators' tools read of the store: its key schema, the feeds per range
/// (`shards list --count`) and a server's report (`shards check`).
@Suite("Operators' tools", .serialized, .ownThread)
struct OperatorToolsTests {
    @Test("the feed keys are e:{feed} and f:{feed}; any other key is no feed's")
    func keySchema() {
        #expect(StoreKeys.feedKey(StoreKeys.entries(42)) == .entries(42))
        #expect(StoreKeys.feedKey(StoreKeys.state(Int64.max)) == .state(Int64.max))
        #expect(StoreKeys.feedKey(StoreKeys.marker) == nil)
        for other in ["e:", "e:-1", "e:12a", "x:12", "e:99999999999999999999", "ee:1"] {
            #expect(StoreKeys.feedKey(Array(other.utf8)) == nil, "\(other)")
        }
        #expect(StoreKeys.feedKey(Array(StoreKeys.entriesPattern.utf8)) == nil)
    }

    @Test("feeds are counted per range of their server, and those routed elsewhere apart")
    func feedCounts() async throws {
        let server = try RedisServerProcess()
        let map = try ShardMap(parsing: "0-99 \(server.url)\n100-199 \(server.url)\n300-399 redis://127.0.0.1:1/0\n")
        let store = EntryStore(map: map)
        for feed: Int64 in [1, 2, 150] {
            #expect(await store.mark(feed: feed, document: [DocumentEntry(key: 1, date: nil)]))
        }
        _ = try server.command(["ZADD", "e:350", "1", "x"])  // routed to the other server
        _ = try server.command(["HSET", "f:3", "etag", "x"])  // state alone: no set of seen entries
        let counts = await FeedCounter.count(map)
        let endpoint = try ShardEndpoint(url: server.url)
        #expect(try counts[endpoint]?.get() == FeedCounter.Counts(perRange: [0...99: 2, 100...199: 1], outside: 1))
        let down = try ShardEndpoint(url: "redis://127.0.0.1:1/0")
        #expect(throws: RedisError.self) { try counts[down]?.get() }
    }

    @Test("a server reports its memory, keys and listpack limit; one below the store's sets is flagged")
    func serverReport() async throws {
        let server = try RedisServerProcess()
        _ = try server.command(["SET", "k", "v"])
        _ = try server.command(["CONFIG", "SET", "zset-max-listpack-entries", "16"])
        let map = try ShardMap(parsing: "0-99 \(server.url)\n")
        let report = try #require(try await ShardServerReport.ask(map)[ShardEndpoint(url: server.url)]?.get())
        #expect(report.keyCount == 1)
        #expect((report.usedMemory ?? 0) > 0)
        #expect(report.listpackLimitTooLow)
        #expect("\(report)".contains("warning: zset-max-listpack-entries is 16"))
        _ = try server.command(["CONFIG", "SET", "zset-max-listpack-entries", "\(ShardServerReport.compactSetSize)"])
        let raised = try #require(try await ShardServerReport.ask(map)[ShardEndpoint(url: server.url)]?.get())
        #expect(!raised.listpackLimitTooLow && "\(raised)".hasPrefix("ok, memory "))
    }
}
