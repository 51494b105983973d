import DaemonKit
import RedisWire
import ArgumentParser
import EntryStore
import Foundation
import ShardRouter

/// `hubdiffer bench store`: fills a shard and cycles it the way polling does, to size shards.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Fill a Redis shard and cycle it the way polling does; print cycles/s and bytes/entry.",
        discussion: """
            Fills FEEDS sets of ENTRIES entries, then for SECONDS runs poll cycles from \
            CONCURRENCY tasks at once: a diff of a feed's document (ENTRIES keys, 3 of them new), \
            then a mark of that document (add, then trim). Ends with the line
            store: N feeds x M entries: C cycles/s, B bytes/entry
            where bytes come from INFO memory before and after filling. Use an empty database: \
            the bench writes e:0 … e:N-1 (--flush empties the database first).

            Example:
              hubdiffer bench store --redis redis://127.0.0.1:6379/15 --feeds 100000 --entries 50 --flush
            """)

    @Option(help: "The shard to use, redis://[:password@]host[:port][/db].")
    var redis: String

    @Option(help: "How many feeds.")
    var feeds = 100_000

    @Option(help: "Entries per feed.")
    var entries = 50

    @Option(help: "How long to cycle, in seconds.")
    var seconds = 10.0

    @Option(help: "Cycles in flight at once.")
    var concurrency = 256

    @Flag(help: "Empty the database before filling it.")
    var flush = false

    func validate() throws {
        guard feeds > 0, entries > 3, seconds > 0, concurrency > 0 else {
            throw ValidationError("--feeds, --seconds and --concurrency must be positive and --entries above 3")
        }
    }

    func run() async throws {
        let endpoint: ShardEndpoint
        do { endpoint = try ShardEndpoint(url: redis) } catch { throw ValidationError("--redis: \(error)") }
        let map = try ShardMap(parsing: "0-\(Int64.max) \(endpoint.url)\n")
        let store = EntryStore(map: map, options: EntryStoreOptions(commandTimeout: .seconds(5)))

        guard case .success(let size) = await store.run([RedisCommand("DBSIZE")], on: endpoint),
            case .integer(let keys) = size.first
        else {
            StandardError.line("\(endpoint.redactedURL): cannot reach the server: check that redis-server runs there")
            throw ExitCode(69)
        }
        if keys > 0 {
            guard flush else {
                StandardError.line("\(endpoint.redactedURL) holds \(keys) keys: use an empty database or pass --flush")
                throw ExitCode(64)
            }
            _ = await store.run([RedisCommand("FLUSHDB")], on: endpoint)
        }
        let before = await usedMemory(store, endpoint)
        let entries = self.entries
        await forEachConcurrently(0..<feeds, limit: concurrency) { feed in
            await store.mark(feed: Int64(feed), document: Self.document(feed: feed, entries: entries, generation: 0))
        }
        let after = await usedMemory(store, endpoint)
        let bytesPerEntry = Double(after - before) / Double(feeds * entries)

        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        let feeds = self.feeds
        let cycles = await withTaskGroup(of: Int.self) { group in
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
        print(
            "store: \(feeds) feeds x \(entries) entries: "
                + String(format: "%.0f cycles/s, %.1f bytes/entry", Double(cycles) / seconds, bytesPerEntry))
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

    private func usedMemory(_ store: EntryStore, _ endpoint: ShardEndpoint) async -> Int {
        await store.info("memory", on: endpoint)?["used_memory"].flatMap(Int.init) ?? 0
    }
}

/// Runs `body` for each element with at most `limit` in flight.
func forEachConcurrently<S: Sequence & Sendable>(
    _ elements: S, limit: Int, _ body: @escaping @Sendable (S.Element) async -> Void
) async where S.Element: Sendable {
    await withTaskGroup(of: Void.self) { group in
        var inFlight = 0
        for element in elements {
            if inFlight >= limit {
                await group.next()
                inFlight -= 1
            }
            group.addTask { await body(element) }
            inFlight += 1
        }
    }
}

/// `hubdiffer bench`: measurements operators use to size a deployment.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure parts of HubDiffer on this machine.",
        discussion: """
            Examples:
              hubdiffer bench store --redis redis://127.0.0.1:6379/15 --flush
              hubdiffer bench fetch http://127.0.0.1:8080/feed.xml --allow-private-addresses
            """,
        subcommands: [BenchStoreCommand.self, BenchFetchCommand.self])
}
