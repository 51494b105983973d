import Logging
import RedisWire
import ShardRouter

/// Counts the feeds with a set of seen entries on each server of a map, per range
/// (`hubdiffer shards list --count`).
public enum FeedCounter {
    /// What one server holds.
    public struct Counts: Sendable, Equatable {
        /// Feeds per range of this server, by the range's bounds.
        public var perRange: [ClosedRange<Int64>: Int] = [:]
        /// Feeds whose ID the map routes to another server, or to no server.
        public var outside = 0

        public init(perRange: [ClosedRange<Int64>: Int] = [:], outside: Int = 0) {
            self.perRange = perRange
            self.outside = outside
        }
    }

    /// Every server of `map`, scanned at once; a server that cannot be asked has its error.
    public static func count(_ map: ShardMap) async -> [ShardEndpoint: Result<Counts, RedisError>] {
        var logger = Logger(label: "hubdiffer.store")
        logger.logLevel = .error  // the caller says it once when a server is down
        let store = EntryStore(
            map: map, options: EntryStoreOptions(connectTimeout: .seconds(2), commandTimeout: .seconds(10)),
            logger: logger)
        return await withTaskGroup(of: (ShardEndpoint, Result<Counts, RedisError>).self) { group in
            for endpoint in map.endpoints {
                group.addTask { (endpoint, await count(on: endpoint, store: store)) }
            }
            var results: [ShardEndpoint: Result<Counts, RedisError>] = [:]
            for await (endpoint, result) in group { results[endpoint] = result }
            return results
        }
    }

    private static func count(on endpoint: ShardEndpoint, store: EntryStore) async -> Result<Counts, RedisError> {
        let keys: Set<StoreKeys.FeedKey>
        do throws(RedisError) {
            keys = try await FeedKeyScan.keys(
                entriesOnly: true,
                send: { command throws(RedisError) in try await store.send(command, to: endpoint) },
                malformed: .server("SCAN answered something other than [cursor, keys]"))
        } catch {
            return .failure(error)
        }
        return .success(tally(keys.map(\.feed), on: endpoint, in: store.map))
    }

    /// `feeds` found on `endpoint`, counted by the range of `map` each belongs to there.
    static func tally(_ feeds: some Sequence<Int64>, on endpoint: ShardEndpoint, in map: ShardMap) -> Counts {
        var counts = Counts()
        for feed in feeds {
            if let range = map.route(feed), range.endpoint == endpoint {
                counts.perRange[range.bounds, default: 0] += 1
            } else {
                counts.outside += 1
            }
        }
        return counts
    }
}

extension EntryStore {
    /// One command on one shard of the map, its error reply thrown (for operators' tools).
    func send(_ command: RedisCommand, to endpoint: ShardEndpoint) async throws(RedisError) -> RedisReply {
        switch await run([command], on: endpoint) {
        case .success(let replies):
            guard let reply = replies.first else { throw .server("no reply") }
            if case .error(let message) = reply { throw .server(message) }
            return reply
        case .failure(let error):
            throw error
        }
    }
}
