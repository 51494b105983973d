import Logging
import RedisWire
import ShardRouter

/// What one server of the map says of itself, asked in one round trip (`PING`, `INFO memory`,
/// `DBSIZE` and `CONFIG GET` of the sorted sets' listpack limit): `hubdiffer shards check`.
public struct ShardServerReport: Sendable, Equatable {
    /// `used_memory` of `INFO memory`; nil when the server refused INFO.
    public var usedMemory: Int?
    /// `DBSIZE`; nil when the server refused it.
    public var keyCount: Int?
    /// The listpack limit of sorted sets, or why it is unknown.
    public var listpackLimit: Result<ListpackLimit, ListpackLimit.Unknown>

    /// `zset-max-listpack-entries` (Redis 7) or `zset-max-ziplist-entries` (Redis 6 and older):
    /// sets with more members leave the compact encoding.
    public struct ListpackLimit: Sendable, Equatable {
        /// The setting's name, as the server calls it.
        public var name: String
        public var value: Int

        /// Why the limit could not be read: the server's error, or "no such setting".
        public struct Unknown: Error, Sendable, Equatable {
            public var reason: String
        }
    }

    /// The set size that must stay compact: what the store keeps for a feed serving 50 entries.
    public static let compactSetSize = EntryStoreOptions().retention(forEntryCount: 50)

    /// Whether the server's listpack limit is below ``compactSetSize`` (sets of a 50-entry feed
    /// would take several times the memory).
    public var listpackLimitTooLow: Bool {
        if case .success(let limit) = listpackLimit { limit.value < Self.compactSetSize } else { false }
    }

    /// Why a server could not be asked.
    public struct Unreachable: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Every server of `map`, asked at once.
    public static func ask(_ map: ShardMap) async -> [ShardEndpoint: Result<ShardServerReport, Unreachable>] {
        var logger = Logger(label: "hubdiffer.store")
        logger.logLevel = .error  // the caller reports a server that is down itself
        let store = EntryStore(
            map: map, options: EntryStoreOptions(connectTimeout: .seconds(2), commandTimeout: .seconds(5)), logger: logger)
        return await withTaskGroup(of: (ShardEndpoint, Result<ShardServerReport, Unreachable>).self) { group in
            for endpoint in map.endpoints {
                group.addTask { (endpoint, await ask(endpoint, store: store)) }
            }
            var reports: [ShardEndpoint: Result<ShardServerReport, Unreachable>] = [:]
            for await (endpoint, report) in group { reports[endpoint] = report }
            return reports
        }
    }

    private static func ask(_ endpoint: ShardEndpoint, store: EntryStore) async -> Result<ShardServerReport, Unreachable> {
        let commands = [
            RedisCommand("PING"), RedisCommand("INFO", "memory"), RedisCommand("DBSIZE"),
            RedisCommand("CONFIG", "GET", "zset-max-listpack-entries"),
            // Redis 6 and older name it zset-max-ziplist-entries (7 knows both).
            RedisCommand("CONFIG", "GET", "zset-max-ziplist-entries"),
        ]
        switch await store.run(commands, on: endpoint) {
        case .success(let replies) where replies.count == commands.count: return report(replies)
        case .success: return .failure(Unreachable(description: "the server sent too few replies"))
        case .failure(let error): return .failure(Unreachable(description: "\(error)"))
        }
    }

    /// The report the replies to PING, INFO memory, DBSIZE and the two CONFIG GETs make.
    static func report(_ replies: [RedisReply]) -> Result<ShardServerReport, Unreachable> {
        guard replies[0].text == "PONG" else {
            if case .error(let message) = replies[0] { return .failure(Unreachable(description: "PING refused: \(message)")) }
            return .failure(Unreachable(description: "PING was not answered PONG"))
        }
        let usedMemory = replies[1].text.flatMap { field("used_memory", in: $0) }.flatMap(Int.init)
        let keyCount: Int? = if case .integer(let keys) = replies[2] { Int(keys) } else { nil }
        let limit: Result<ListpackLimit, ListpackLimit.Unknown>
        if let found = configValue(replies[3]) ?? configValue(replies[4]) {
            limit = .success(found)
        } else if case .error(let message) = replies[3] {
            limit = .failure(ListpackLimit.Unknown(reason: message))
        } else {
            limit = .failure(ListpackLimit.Unknown(reason: "no such setting"))
        }
        return .success(ShardServerReport(usedMemory: usedMemory, keyCount: keyCount, listpackLimit: limit))
    }

    /// `name:value` from the text of an INFO reply.
    private static func field(_ name: String, in info: String) -> String? {
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// The setting's name and integer value from a `CONFIG GET` reply, nil when it has none.
    private static func configValue(_ reply: RedisReply) -> ListpackLimit? {
        guard case .array(let items?) = reply, items.count >= 2, let name = items[0].text,
            let value = items[1].text.flatMap(Int.init)
        else { return nil }
        return ListpackLimit(name: name, value: value)
    }
}
