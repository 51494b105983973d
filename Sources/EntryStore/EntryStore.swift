import RedisWire
import Foundation
import Logging
import Metrics
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
    /// The map this one replaced, while its handover lasts (see ``init(map:handover:options:logger:metrics:)``).
    public let handover: Handover?

    /// One worker per shard of `map`. Each shard reports `hubdiffer_store_skipped_operations_total`
    /// and `hubdiffer_store_shard_up` (1 or 0) with a `shard` dimension (its redacted URL) to
    /// `metrics`.
    ///
    /// With a `handover` (the map this one replaces, during a `shards move`), a feed whose
    /// range the new map sends to another server is diffed against both servers until the
    /// handover ends: what another daemon still marked on the old server, before it switched
    /// maps too, counts as seen, and a set not yet copied is not taken for a new feed. Writes go
    /// to the new server only; an old server that cannot be read is ignored (the move copied
    /// its sets before the switch).
    public init(
        map: ShardMap, handover: Handover? = nil, options: EntryStoreOptions = EntryStoreOptions(),
        logger: Logger = Logger(label: "hubdiffer.store"), metrics: MetricsFactory = MetricsSystem.factory
    ) {
        self.map = map
        self.options = options
        let handover = handover.flatMap { $0.previous == map ? nil : $0 }
        let previousServers = handover.map { Set($0.previous.endpoints) } ?? []
        var workers: [ShardEndpoint: ShardWorker] = [:]
        for endpoint in Set(map.endpoints).union(previousServers) {
            workers[endpoint] = ShardWorker(endpoint: endpoint, options: options, logger: logger, metrics: metrics)
        }
        self.workers = workers
        self.handover = handover
    }

    /// Every server this store talks to: the map's, and during a handover the previous map's.
    public var servers: [ShardEndpoint] {
        workers.keys.sorted { $0.url < $1.url }
    }

    /// Operations skipped per shard (by redacted URL) because it was down.
    public var skippedOperations: [String: Int] {
        Dictionary(uniqueKeysWithValues: workers.map { ($0.key.redactedURL, $0.value.skippedOperations) })
    }

    // MARK: - Diff

    /// Which of `keys` the feed has not seen, and what the store knows of the feed's past.
    ///
    /// It reads the whole set (`ZRANGE e:{feed} 0 -1`) rather than asking for each key
    /// (`ZMSCORE`): a set kept in Redis's compact listpack encoding answers each `ZMSCORE`
    /// member with a linear scan, so 50 keys against 50–150 members cost 5–20 times a single
    /// ordered read (see BENCHMARKS.md). The members read also let ``mark(feed:document:after:now:)``
    /// write only what changed.
    public func diff(feed: Int64, keys: [UInt64]) async -> DiffResult {
        guard let (_, worker) = shard(for: feed) else { return DiffResult(unseen: keys, history: .unknown) }
        let read = await worker.run([Self.readMarker, Self.readSet(feed)]) { outcome -> (stored: [UInt64], lostData: Bool)? in
            guard case .success(let replies) = outcome, replies.count == 2,
                case .array(let markerFields?) = replies[0], case .keys(let stored) = replies[1]
            else { return nil }
            return (stored, Self.observeMarker(markerFields, worker: worker))
        }
        guard let read else { return DiffResult(unseen: keys, history: .unknown) }
        var seen = Set(read.stored)
        if let previous = handoverWorker(for: feed),
            case .success(let replies) = await previous.run([Self.readSet(feed)]), case .keys(let before)? = replies.first
        {
            seen.formUnion(before)
        }
        let history: FeedHistory = !seen.isEmpty ? .known : read.lostData ? .afterDataLoss : .new
        // `storedKeys` stays the new server's: `mark` then adds there what only the old one held.
        return DiffResult(unseen: keys.filter { !seen.contains($0) }, history: history, storedKeys: read.stored)
    }

    /// The old server's worker when `feed`'s range moved to another server and the handover
    /// lasts; nil otherwise.
    private func handoverWorker(for feed: Int64) -> ShardWorker? {
        guard let handover, handover.isActive, let before = handover.previous.route(feed)?.endpoint,
            before != map.route(feed)?.endpoint
        else { return nil }
        return workers[before]
    }

    // MARK: - Mark

    /// Records the current document as seen: the keys the set lacks are added (scored by their
    /// date clamped to now, or by now when undated; a key already there keeps its score), and
    /// the set is trimmed to the retention bound by removing its lowest-scored members that the
    /// document does not hold, so no key the document still holds is ever evicted (see
    /// ``RetentionPlan``).
    ///
    /// Pass the ``DiffResult`` of the same document: the set it read spares a round trip.
    /// Without it (or when the diff could not read the set) the set is read first.
    /// `retainedEntries` is the entry count the retention bound follows (the feed's
    /// ``RetentionPeak``); the document's own count when nil or smaller. Returns false when the
    /// mark did not land: the shard was down, or refused a write (an error reply), or the feed
    /// is in no range. An empty document has nothing to record: true.
    @discardableResult
    public func mark(
        feed: Int64, document: [DocumentEntry], after diff: DiffResult? = nil, retainedEntries: Int? = nil,
        now: Date = Date()
    ) async -> Bool {
        guard let (_, worker) = shard(for: feed) else { return false }
        if document.isEmpty { return true }  // nothing to record
        var stored = diff?.storedKeys
        if stored == nil {
            guard case .success(let replies) = await worker.run([Self.readSet(feed)]), case .keys(let keys)? = replies.first
            else { return false }
            stored = keys
        }
        let plan = RetentionPlan(
            stored: stored ?? [], document: document, bound: options.retention(forEntryCount: max(document.count, retainedEntries ?? 0)), now: now)
        guard !plan.isEmpty else { return true }

        let key = StoreKeys.entries(feed)
        var commands: [RedisCommand] = []
        if !plan.removals.isEmpty {
            commands.append(
                RedisCommand(count: 2 + plan.removals.count) { arguments in
                    arguments.append("ZREM")
                    arguments.append(bytes: key)
                    for member in plan.removals { arguments.append(bigEndian: member) }
                })
        }
        if !plan.additions.isEmpty {
            commands.append(
                RedisCommand(count: 3 + 2 * plan.additions.count) { arguments in
                    arguments.append("ZADD")
                    arguments.append(bytes: key)
                    arguments.append("NX")
                    for addition in plan.additions {
                        arguments.append(integer: addition.score)
                        arguments.append(bigEndian: addition.key)
                    }
                })
        }
        guard case .success(let replies) = await worker.run(commands) else { return false }
        return !replies.contains(where: \.isError)
    }

    /// `HMGET hubdiffer:shard id lost_at`, encoded once.
    private static let readMarker = RedisCommand(["HMGET".bytes, StoreKeys.marker, "id".bytes, "lost_at".bytes])

    /// `ZRANGE e:{feed} 0 -1`: the feed's keys in ascending score order.
    private static func readSet(_ feed: Int64) -> RedisCommand {
        var command = RedisCommand(count: 4) { arguments in
            arguments.append("ZRANGE")
            arguments.append(bytes: StoreKeys.entries(feed))
            arguments.append("0")
            arguments.append("-1")
        }
        command.replyShape = .entryKeys
        return command
    }

    // MARK: - Feed state

    /// The feed's state from `f:{feed}`; nil when there is none or the shard is down
    /// (``readState(feed:)`` tells the two apart).
    public func state(feed: Int64) async -> FeedState? {
        if case .present(let state) = await readState(feed: feed) { return state }
        return nil
    }

    /// What `f:{feed}` holds, as read from the feed's shard.
    public enum StateRead: Sendable, Equatable {
        case present(FeedState)
        /// The shard answered: the feed has no state.
        case absent
        /// The shard could not be asked (down, paused, an error reply, or the feed is in no range).
        case unreadable
    }

    /// The feed's state from `f:{feed}`, telling "none" from "could not be read".
    public func readState(feed: Int64) async -> StateRead {
        guard let (_, worker) = shard(for: feed),
            case .success(let replies) = await worker.run([RedisCommand(["HGETALL".bytes, StoreKeys.state(feed)])])
        else { return .unreadable }
        let read = Self.stateRead(replies.first)
        if read == .absent, let previous = handoverWorker(for: feed),
            case .success(let before) = await previous.run([RedisCommand(["HGETALL".bytes, StoreKeys.state(feed)])]),
            case .present(let state) = Self.stateRead(before.first)
        {
            return .present(state)  // not copied yet: the old server's is the newest
        }
        return read
    }

    /// What an operator reads of one feed in its shard (`GET /feeds/{id}`): its state and how
    /// many entry keys its set holds, in one round trip; nil counts when unreadable.
    public func inspect(feed: Int64) async -> (state: StateRead, entriesStored: Int?) {
        guard let (_, worker) = shard(for: feed),
            case .success(let replies) = await worker.run([
                RedisCommand(["HGETALL".bytes, StoreKeys.state(feed)]), RedisCommand(["ZCARD".bytes, StoreKeys.entries(feed)]),
            ])
        else { return (.unreadable, nil) }
        let count: Int? = if case .integer(let count)? = replies.dropFirst().first { Int(count) } else { nil }
        return (Self.stateRead(replies.first), count)
    }

    /// An `HGETALL f:{feed}` reply as a state read.
    private static func stateRead(_ reply: RedisReply?) -> StateRead {
        guard case .array(let fields?)? = reply else { return .unreadable }
        if fields.isEmpty { return .absent }
        var values: [String: String] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let name = fields[index].text, let value = fields[index + 1].text { values[name] = value }
            index += 2
        }
        return .present(FeedState(fields: values))
    }

    /// Replaces the feed's state in `f:{feed}`, as one transaction (`MULTI`, `DEL`, `HSET`,
    /// `EXEC`): a shard that refuses the `HSET` (OOM) aborts it, so the old state stays whole
    /// rather than deleted. False when the state was not stored.
    @discardableResult
    public func save(_ state: FeedState, feed: Int64) async -> Bool {
        guard let (_, worker) = shard(for: feed) else { return false }
        let key = StoreKeys.state(feed)
        let fields = state.fields
        var commands = [RedisCommand(["MULTI".bytes]), RedisCommand(["DEL".bytes, key])]
        if !fields.isEmpty {
            commands.append(RedisCommand(["HSET".bytes, key] + fields.sorted { $0.key < $1.key }.flatMap { [$0.key.bytes, $0.value.bytes] }))
        }
        commands.append(RedisCommand(["EXEC".bytes]))
        guard case .success(let replies) = await worker.run(commands), case .array(let results?)? = replies.last else { return false }
        return !replies.contains(where: \.isError) && !results.contains(where: \.isError)
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

    /// Observes the shard marker a diff read (on the shard's queue, in order), writes it when
    /// missing, and says whether the shard is known to have lost its data.
    private static func observeMarker(_ fields: [RedisReply], worker: ShardWorker) -> Bool {
        let id = fields.first?.text
        let lostAt = fields.count > 1 ? fields[1].text.flatMap(Int64.init) : nil
        let (action, lostData) = worker.marker.withLock { marker in (marker.observe(id: id, lostAt: lostAt), marker.lostData) }
        if case .create(let newID, let lost) = action {
            let now = "\(Int64(Date().timeIntervalSince1970))".bytes
            var command = ["HSET".bytes, StoreKeys.marker, "id".bytes, newID.bytes, "created".bytes, now]
            if lost { command += ["lost_at".bytes, now] }
            worker.submit([RedisCommand(command)]) { outcome in
                let succeeded = if case .success(let replies) = outcome, case .integer? = replies.first { true } else { false }
                worker.marker.withLock { $0.written(id: newID, succeeded: succeeded) }
            }
        }
        return lostData
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
