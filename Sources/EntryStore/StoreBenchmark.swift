import Foundation
import RedisWire
import ShardRouter

/// `hubdiffer bench store`: one shard filled with feeds' sets, then cycled the way polling
/// cycles it (a diff of a feed's document with 3 new entries, then a mark of it), to size
/// shards. It writes the sets of feeds 0 … `feeds` − 1: use an empty database.
public struct StoreBenchmark: Sendable {
    public let endpoint: ShardEndpoint
    public let feeds: Int
    /// Entries per feed's document (more than 3).
    public let entries: Int
    private let store: EntryStore

    /// A benchmark of the server at `endpoint`.
    public init(endpoint: ShardEndpoint, feeds: Int, entries: Int) throws(ShardMapError) {
        self.endpoint = endpoint
        self.feeds = feeds
        self.entries = entries
        let map = try ShardMap(parsing: "0-\(Int64.max) \(endpoint.url)\n")
        store = EntryStore(map: map, options: EntryStoreOptions(commandTimeout: .seconds(5)))
    }

    /// The number of keys in the database (`DBSIZE`); nil when the server cannot be reached.
    public func keyCount() async -> Int? {
        guard case .success(let replies) = await store.run([RedisCommand("DBSIZE")], on: endpoint),
            case .integer(let keys) = replies.first
        else { return nil }
        return Int(keys)
    }

    /// Empties the database (`FLUSHDB`).
    public func emptyDatabase() async {
        _ = await store.run([RedisCommand("FLUSHDB")], on: endpoint)
    }

    /// Marks every feed's first document, `concurrency` at once; returns the bytes each entry
    /// takes (`used_memory` of `INFO memory` before and after).
    public func fill(concurrency: Int) async -> Double {
        let before = await usedMemory()
        let (store, entries) = (self.store, self.entries)
        await withTaskGroup(of: Void.self) { group in
            for feed in 0..<feeds {
                if feed >= concurrency { await group.next() }
                group.addTask {
                    await store.mark(feed: Int64(feed), document: Self.document(feed: feed, entries: entries, generation: 0))
                }
            }
        }
        return Double(await usedMemory() - before) / Double(feeds * entries)
    }

    /// Runs poll cycles on random feeds from `concurrency` tasks until `duration` has passed;
    /// returns how many ran.
    public func cycle(for duration: Duration, concurrency: Int) async -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        let (store, feeds, entries) = (self.store, self.feeds, self.entries)
        return await withTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var random = SystemRandomNumberGenerator()
                    var done = 0
                    var generation = worker
                    while clock.now < deadline {
                        let feed = Int.random(in: 0..<feeds, using: &random)
                        generation += concurrency
                        let document = Self.document(feed: feed, entries: entries, generation: generation)
                        let diff = await store.diff(feed: Int64(feed), keys: document.map(\.key))
                        await store.mark(feed: Int64(feed), document: document, after: diff)
                        done += 1
                    }
                    return done
                }
            }
            return await group.reduce(0, +)
        }
    }

    /// A feed's document: `entries` keys, the last 3 new in each generation after the first.
    static func document(feed: Int, entries: Int, generation: Int) -> [DocumentEntry] {
        let base = UInt64(feed) << 24
        let fresh = generation == 0 ? 0 : 3
        let now = Date()
        var document: [DocumentEntry] = []
        for index in 0..<(entries - fresh) {
            document.append(DocumentEntry(key: base | UInt64(index), date: now.addingTimeInterval(-Double(index) * 3600)))
        }
        for index in 0..<fresh {
            document.append(DocumentEntry(key: base | UInt64(1 << 20) | UInt64(generation * 3 + index) & 0xFFFFF, date: now))
        }
        return document
    }

    private func usedMemory() async -> Int {
        await store.info("memory", on: endpoint)?["used_memory"].flatMap(Int.init) ?? 0
    }
}
