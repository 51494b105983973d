import AsyncBridges
import EntryStore
import Foundation
import Logging
import ShardRouter

/// Loads the shard map file again, one load at a time (SIGHUP and the map watch may both ask):
/// a broken file is refused with one line and the map in use stays; a valid one replaces it
/// between polls. A map that routes differently starts a handover (the previous map's servers
/// are read as well for the moved ranges, ``EntryStore/Handover``); one that only changes a
/// password replaces the store without a handover.
actor ShardMapReloader {
    private let path: String
    private let dispatcher: PollDispatcher
    private let environment: @Sendable (ShardMap, EntryStore.Handover?) -> PollEnvironment
    private let logger: Logger
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// How long a daemon that switched maps reads the previous map's servers as well (for the
    /// feeds whose range moved), at least; a `shards move` still under way extends it.
    static let handover = Duration.seconds(900)

    init(
        path: String, dispatcher: PollDispatcher, environment: @escaping @Sendable (ShardMap, EntryStore.Handover?) -> PollEnvironment,
        logger: Logger
    ) {
        self.path = path
        self.dispatcher = dispatcher
        self.environment = environment
        self.logger = logger
    }

    /// The map file's content as last read by a reload (what the map watch compares with).
    private(set) var loadedContent: [UInt8]?

    /// At start: a `shards move` still under way to a server of the map (its mark) means this
    /// daemon may have marked the source before it restarted, and other daemons may still do:
    /// read the source as well, as after a switch.
    func adoptMovesUnderWay() async {
        let store = await dispatcher.environment.store
        guard store.handover == nil else { return }
        let previous = await mapWithMovesUnderWay(store)
        guard previous != store.map else { return }
        await dispatcher.replace(environment(store.map, EntryStore.Handover(previous: previous, until: .now + Self.handover)))
    }

    /// `store`'s map with the ranges of the moves under way to its servers sent back to their
    /// sources: what a handover reads as well. Each move is said in one log line.
    private func mapWithMovesUnderWay(_ store: EntryStore) async -> ShardMap {
        var previous = store.map
        for move in await store.movesUnderWay() {
            do {
                previous = try previous.setting(range: move.range, endpoint: move.source)
                logger.notice(
                    "a shards move is under way: reading its old server as well",
                    metadata: ["range": "\(move.range.shardText)", "from": "\(move.source.redactedURL)"])
            } catch {
                logger.warning(
                    "a shards move is under way but its range is not one line of the map: its old server is not read",
                    metadata: ["range": "\(move.range.shardText)", "from": "\(move.source.redactedURL)"])
            }
        }
        return previous
    }

    /// Loads the map: from `content` (what the map watch read twice), or the file read now
    /// (SIGHUP). Switches to it when it differs from the map in use.
    func reload(content: [UInt8]? = nil) async {
        // One at a time, in the order asked: a later file always wins.
        if busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        let current = await dispatcher.environment.store
        let path = self.path
        let read: [UInt8]? = if let content { content } else { await BlockingWork.run { FileManager.default.contents(atPath: path).map { [UInt8]($0) } } }
        loadedContent = read
        let loaded: Result<ShardMap, Daemon.StartFailure>
        if let read {
            loaded = Result { () throws(Daemon.StartFailure) in try Daemon.parseMap(read, path: path) }
        } else {
            loaded = .failure(Daemon.StartFailure(description: "\(path): cannot be read: check the path and its permissions", status: .configuration))
        }
        switch loaded {
        case .failure(let error):
            logger.error("kept the shard map in use: \(error)")
        case .success(let map) where map == current.map:
            break
        case .success(let map):
            let moved = map.digest != current.map.digest
            // The map in use, with the ranges of moves still under way sent back to their
            // sources: a second switch keeps reading what the first one moved.
            let handover = moved ? EntryStore.Handover(previous: await mapWithMovesUnderWay(current), until: .now + Self.handover) : current.handover
            await dispatcher.replace(environment(map, handover))
            logger.notice(
                moved ? "switched to the new shard map" : "reloaded the shard map (same routing)",
                metadata: [
                    "shards": "\(map.endpoints.count)", "file": "\(path)", "map": "\(map.digest)",
                    "previous_map": "\(current.map.digest)",
                ])
        }
    }
}
