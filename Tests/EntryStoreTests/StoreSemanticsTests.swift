import EntryStore
import Foundation
import ShardRouter
import Testing
import TestSupport

/// diff, mark, trim and feed state against a real `redis-server`.
@Suite("EntryStore semantics", .serialized, .ownThread)
struct StoreSemanticsTests {
    static func store(_ servers: [RedisServerProcess], options: EntryStoreOptions = EntryStoreOptions()) throws -> EntryStore {
        // Feeds 0-999 on the first server, 1000-… on the second (when there is one).
        var text = ""
        if servers.count == 1 {
            text = "0-9223372036854775807 \(servers[0].url)\n"
        } else {
            text = "0-999 \(servers[0].url)\n1000-9223372036854775807 \(servers[1].url)\n"
        }
        return EntryStore(map: try ShardMap(parsing: text), options: options)
    }

    static func entries(_ keys: ClosedRange<UInt64>, date: Date? = Date(timeIntervalSince1970: 1_700_000_000)) -> [DocumentEntry] {
        keys.map { DocumentEntry(key: $0, date: date) }
    }

    @Test("a new feed reports every key unseen; after mark only new keys are unseen")
    func diffAndMark() async throws {
        let server = try RedisServerProcess()
        let store = try Self.store([server])
        let first = await store.diff(feed: 7, keys: [1, 2, 3])
        #expect(first == DiffResult(unseen: [1, 2, 3], history: .new, storedKeys: []))
        #expect(await store.mark(feed: 7, document: Self.entries(1...3)))
        let second = await store.diff(feed: 7, keys: [1, 2, 3, 4, 5])
        #expect(second == DiffResult(unseen: [4, 5], history: .known, storedKeys: [1, 2, 3]))
        #expect(try server.command(["EXISTS", "e:7"]) == "1")
    }

    @Test("trimming keeps the bound and never evicts a key the document still holds")
    func trimKeepsDocument() async throws {
        let server = try RedisServerProcess()
        let store = try Self.store([server], options: EntryStoreOptions(retentionMultiple: 2, minimumRetention: 4))
        // 20 recent entries seen over time…
        for start in stride(from: 1, through: 20, by: 2) {
            let keys = UInt64(start)...UInt64(start + 1)
            await store.mark(feed: 1, document: keys.map { DocumentEntry(key: $0, date: Date(timeIntervalSince1970: 1_700_000_000 + Double($0))) })
        }
        // …then a document of 3 entries, one of them dated long before all the others.
        let document = [
            DocumentEntry(key: 100, date: Date(timeIntervalSince1970: 0)),
            DocumentEntry(key: 101, date: Date(timeIntervalSince1970: 1_700_000_500)),
            DocumentEntry(key: 20, date: Date(timeIntervalSince1970: 1_700_000_020)),
        ]
        await store.mark(feed: 1, document: document)
        #expect(Int(try server.command(["ZCARD", "e:1"])) ?? 0 <= 6)  // bound: max(4, 2 × 3)
        let again = await store.diff(feed: 1, keys: document.map(\.key))
        #expect(again.unseen.isEmpty)
    }

    @Test("undated entries keep the time first seen; future dates count as now")
    func scores() async throws {
        let server = try RedisServerProcess()
        let store = try Self.store([server])
        let first = Date(timeIntervalSince1970: 1_800_000_000)
        await store.mark(feed: 3, document: [DocumentEntry(key: 1, date: nil)], now: first)
        await store.mark(feed: 3, document: [DocumentEntry(key: 1, date: nil)], now: first.addingTimeInterval(3600))
        // The member is 8 binary bytes; its score is the last line of ZRANGE … WITHSCORES.
        #expect(try server.command(["ZRANGE", "e:3", "0", "-1", "WITHSCORES"]).hasSuffix("1800000000"))
        await store.mark(feed: 4, document: [DocumentEntry(key: 9, date: Date(timeIntervalSince1970: 4_000_000_000))], now: first)
        #expect(try server.command(["ZRANGE", "e:4", "0", "-1", "WITHSCORES"]).hasSuffix("1800000000"))
    }

    @Test("feed state round-trips through f:{feed}")
    func feedState() async throws {
        let server = try RedisServerProcess()
        let store = try Self.store([server])
        #expect(await store.state(feed: 5) == nil)
        let state = FeedState(
            etag: "W/\"abc\"", lastModified: "Mon, 02 Feb 2026 10:00:00 GMT", bodyHash: 0xDEAD_BEEF_0000_0001,
            lastPoll: Date(timeIntervalSince1970: 1_800_000_000), errorCount: 2, redirectURL: "https://x/feed", redirectCount: 1)
        #expect(await store.save(state, feed: 5))
        #expect(await store.state(feed: 5) == state)
        #expect(await store.save(FeedState(), feed: 5))
        #expect(await store.state(feed: 5) == FeedState())
    }

    @Test("feeds go to the server their range names; a feed in a gap is unknown")
    func routing() async throws {
        let a = try RedisServerProcess()
        let b = try RedisServerProcess()
        let store = try Self.store([a, b])
        await store.mark(feed: 10, document: Self.entries(1...2))
        await store.mark(feed: 5000, document: Self.entries(1...2))
        #expect(try a.command(["EXISTS", "e:10"]) == "1")
        #expect(try a.command(["EXISTS", "e:5000"]) == "0")
        #expect(try b.command(["EXISTS", "e:5000"]) == "1")
        let gapStore = EntryStore(map: try ShardMap(parsing: "0-9 \(a.url)\n"))
        #expect(await gapStore.diff(feed: 50, keys: [1]) == DiffResult(unseen: [1], history: .unknown))
    }

    @Test("after FLUSHALL the shard's feeds are re-seeded without reporting a backlog as new")
    func dataLossMarker() async throws {
        let server = try RedisServerProcess()
        let store = try Self.store([server])
        #expect(await store.diff(feed: 1, keys: [1]).history == .new)
        await store.mark(feed: 1, document: Self.entries(1...3))
        #expect(await store.diff(feed: 1, keys: [1, 2, 3]).history == .known)
        try server.command(["FLUSHALL"])
        let afterLoss = await store.diff(feed: 1, keys: [1, 2, 3, 4])
        #expect(afterLoss.history == .afterDataLoss)
        // The caller records the document silently; the feed is known again.
        await store.mark(feed: 1, document: Self.entries(1...4))
        #expect(await store.diff(feed: 1, keys: [1, 2, 3, 4]) == DiffResult(unseen: [], history: .known, storedKeys: [1, 2, 3, 4]))
        #expect(try server.command(["HEXISTS", "hubdiffer:shard", "lost_at"]) == "1")
    }
}
