import ArgumentParser
import DaemonKit
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
            the bench writes the sets \(StoreKeys.entriesTemplate) of feeds 0 … N-1 (--flush empties the database first).

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
        let benchmark = try StoreBenchmark(endpoint: endpoint, feeds: feeds, entries: entries)
        guard let keys = await benchmark.keyCount() else {
            StandardError.line("\(endpoint.redactedURL): cannot reach the server: check that redis-server runs there")
            throw ExitCode(.unavailable)
        }
        if keys > 0 {
            guard flush else {
                StandardError.line("\(endpoint.redactedURL) holds \(keys) keys: use an empty database or pass --flush")
                throw ExitCode(.usage)
            }
            await benchmark.emptyDatabase()
        }
        let bytesPerEntry = await benchmark.fill(concurrency: concurrency)
        let cycles = await benchmark.cycle(for: .milliseconds(Int(seconds * 1000)), concurrency: concurrency)
        print(
            "store: \(feeds) feeds x \(entries) entries: "
                + String(format: "%.0f cycles/s, %.1f bytes/entry", Double(cycles) / seconds, bytesPerEntry))
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
