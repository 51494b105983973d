import Foundation
import Logging
import ShardRouter
import Synchronization

/// The memory of the system: which entries of each feed were already sent, and each feed's
/// own state, in Redis, one connection per shard of the ``ShardMap``.
///
/// Every Redis failure is answered "unknown" at once: `diff` reports every key unseen and
/// `mark` is skipped (risk a duplicate, never block, never lose an entry). A failed shard is
/// skipped for a growing pause, then probed; one log line says it went down and one that it
/// came back.
public final class EntryStore: Sendable {
    public let map: ShardMap
    public let options: EntryStoreOptions
    private let workers: [ShardEndpoint: ShardWorker]

    public init(map: ShardMap, options: EntryStoreOptions = EntryStoreOptions(), logger: Logger = Logger(label: "hubdiffer.store")) {
        self.map = map
        self.options = options
        var workers: [ShardEndpoint: ShardWorker] = [:]
        for endpoint in map.endpoints {
            workers[endpoint] = ShardWorker(endpoint: endpoint, options: options, logger: logger)
        }
        self.workers = workers
    }

    /// Operations skipped per shard (by redacted URL) because it was down.
    public var skippedOperations: [String: Int] {
        Dictionary(uniqueKeysWithValues: workers.map { ($0.key.redactedURL, $0.value.skippedOperations) })
    }

    // MARK: - Diff

    /// Which of `keys` the feed has not seen (`ZMSCORE e:{feed}`), and what the store knows of
    /// the feed's past.
    public func diff(feed: Int64, keys: [UInt64]) async -> DiffResult {
        guard let (_, worker) = shard(for: feed) else { return DiffResult(unseen: keys, history: .unknown) }
        var commands = [
            RedisCommand(["EXISTS".bytes, StoreKeys.entries(feed)]),
            RedisCommand(["HMGET".bytes, StoreKeys.marker, "id".bytes, "lost_at".bytes]),
        ]
        if !keys.isEmpty {
            commands.append(
                RedisCommand(count: 2 + keys.count) { arguments in
                    arguments.append("ZMSCORE")
                    arguments.append(bytes: StoreKeys.entries(feed))
                    for key in keys { arguments.append(bigEndian: key) }
                })
        }
        guard case .success(let replies) = await worker.run(commands), replies.count == commands.count,
            case .integer(let exists) = replies[0], case .array(let markerFields?) = replies[1]
        else { return DiffResult(unseen: keys, history: .unknown) }

        let history = await observeMarker(markerFields, worker: worker, feedHasSet: exists == 1)
        guard !keys.isEmpty else { return DiffResult(unseen: [], history: history) }
        guard case .array(let scores?) = replies[2], scores.count == keys.count else {
            return DiffResult(unseen: keys, history: .unknown)
        }
        var unseen: [UInt64] = []
        for (key, score) in zip(keys, scores) where score == .bulk(nil) { unseen.append(key) }
        return DiffResult(unseen: unseen, history: history)
    }

    // MARK: - Mark

    /// Records the current document as seen: every key it holds is added (or kept) with its
    /// entry time as score, and the set is trimmed by score to the retention bound first, so
    /// no key the document still holds is ever evicted. Undated entries keep the time they were
    /// first seen; dates in the future count as now. Returns false when the shard was down
    /// (the mark was skipped).
    @discardableResult
    public func mark(feed: Int64, document: [DocumentEntry], now: Date = Date()) async -> Bool {
        guard let (_, worker) = shard(for: feed), !document.isEmpty else { return false }
        let key = StoreKeys.entries(feed)
        let bound = options.retention(forEntryCount: document.count)
        let keepOthers = bound - document.count
        let nowSeconds = Int64(now.timeIntervalSince1970)
        var commands = [
            // Keep the `keepOthers` newest members; the document's own keys are added back next.
            RedisCommand(["ZREMRANGEBYRANK".bytes, key, "0".bytes, "\(-(keepOthers + 1))".bytes])
        ]
        let datedCount = document.count { $0.date != nil }
        if datedCount > 0 {
            commands.append(
                RedisCommand(count: 2 + 2 * datedCount) { arguments in
                    arguments.append("ZADD")
                    arguments.append(bytes: key)
                    for entry in document {
                        guard let date = entry.date else { continue }
                        arguments.append(integer: min(Int64(date.timeIntervalSince1970.rounded(.down)), nowSeconds))
                        arguments.append(bigEndian: entry.key)
                    }
                })
        }
        if datedCount < document.count {
            // Undated entries keep the time they were first seen (NX).
            commands.append(
                RedisCommand(count: 3 + 2 * (document.count - datedCount)) { arguments in
                    arguments.append("ZADD")
                    arguments.append(bytes: key)
                    arguments.append("NX")
                    for entry in document where entry.date == nil {
                        arguments.append(integer: nowSeconds)
                        arguments.append(bigEndian: entry.key)
                    }
                })
        }
        guard case .success(let replies) = await worker.run(commands) else { return false }
        return !replies.contains { if case .error = $0 { true } else { false } }
    }

    // MARK: - Feed state

    /// The feed's state from `f:{feed}`; nil when there is none or the shard is down.
    public func state(feed: Int64) async -> FeedState? {
        guard let (_, worker) = shard(for: feed),
            case .success(let replies) = await worker.run([RedisCommand(["HGETALL".bytes, StoreKeys.state(feed)])]),
            case .array(let fields?) = replies.first, !fields.isEmpty
        else { return nil }
        var values: [String: String] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let name = fields[index].text, let value = fields[index + 1].text { values[name] = value }
            index += 2
        }
        return FeedState(fields: values)
    }

    /// Stores the feed's state in `f:{feed}`; false when the shard was down.
    @discardableResult
    public func save(_ state: FeedState, feed: Int64) async -> Bool {
        guard let (_, worker) = shard(for: feed) else { return false }
        let key = StoreKeys.state(feed)
        let fields = state.fields
        var commands = [RedisCommand(["DEL".bytes, key])]
        if !fields.isEmpty {
            commands.append(RedisCommand(["HSET".bytes, key] + fields.sorted { $0.key < $1.key }.flatMap { [$0.key.bytes, $0.value.bytes] }))
        }
        guard case .success(let replies) = await worker.run(commands) else { return false }
        return !replies.contains { if case .error = $0 { true } else { false } }
    }

    // MARK: - Administration

    /// Runs `commands` on one shard of the map (for operators' tools: INFO, DBSIZE…).
    public func run(_ commands: [RedisCommand], on endpoint: ShardEndpoint) async -> Result<[RedisReply], RedisError> {
        guard let worker = workers[endpoint] else { return .failure(.connect("\(endpoint.redactedURL) is not in the shard map")) }
        return await worker.run(commands)
    }

    /// `INFO section` of one shard as fields (`used_memory` → "1234"…); nil when it is down.
    public func info(_ section: String, on endpoint: ShardEndpoint) async -> [String: String]? {
        guard case .success(let replies) = await run([RedisCommand("INFO", section)], on: endpoint),
            let text = replies.first?.text
        else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    // MARK: - Shards

    private func shard(for feed: Int64) -> (ShardEndpoint, ShardWorker)? {
        guard let range = map.route(feed), let worker = workers[range.endpoint] else { return nil }
        return (range.endpoint, worker)
    }

    /// Reads the shard marker seen by a diff, creates it when missing, and says what a feed
    /// without a set means on this shard.
    private func observeMarker(
        _ fields: [RedisReply], worker: ShardWorker, feedHasSet: Bool
    ) async -> FeedHistory {
        let id = fields.first?.text
        let lostAt = fields.count > 1 ? fields[1].text.flatMap(Int64.init) : nil
        let action = worker.marker.withLock { $0.observe(id: id, lostAt: lostAt) }
        if case .create(let newID, let lost) = action {
            var command = ["HSET".bytes, StoreKeys.marker, "id".bytes, newID.bytes, "created".bytes, "\(Int64(Date().timeIntervalSince1970))".bytes]
            if lost { command += ["lost_at".bytes, "\(Int64(Date().timeIntervalSince1970))".bytes] }
            _ = await worker.run([RedisCommand(command)])
        }
        if feedHasSet { return .known }
        return worker.marker.withLock { $0.lostData } ? .afterDataLoss : .new
    }
}

extension String {
    fileprivate var bytes: [UInt8] { Array(utf8) }
}
