import DaemonKit
import RedisWire
import EntryStore
import Foundation
import ShardRouter

/// `hubdiffer shards move`: a range of feed IDs moved to another Redis server with its data,
/// in steps that each leave every feed's set on the server the map names.
///
/// 1. **copy** every `e:{feed}` and `f:{feed}` of the range from the old server (sets merged
///    with `ZADD NX`, so nothing already on the new server is lost);
/// 2. **switch**: the map's line for the range names the new server (atomic write);
/// 3. **catch-up**: copy what the old server gained meanwhile; then SIGHUP the daemon, wait
///    `grace` for polls begun under the old map, and catch up again (states only where the
///    new server has none: what the daemon wrote there is newer);
/// 4. **verify** that every member and state of the old server is on the new one;
/// 5. **delete** the old copies, and the journal.
///
/// The editor lock is held throughout. An interrupted move (SIGINT, SIGTERM, a failed
/// server) leaves its journal (`FILE.move`); the same command resumes it: a step already done
/// is recognised from the map, and copying again changes nothing that arrived.
public struct ShardMove {
    public let mapPath: String
    public let range: ClosedRange<Int64>
    public let target: ShardEndpoint
    public let daemon: DaemonReload
    /// How long polls begun under the old map may take after the daemon was signalled.
    public let grace: Duration
    /// Feeds per second, at most (nil: as fast as the servers go).
    public let rate: Int?
    /// How long to wait for every daemon registered on the two servers to run the new map.
    public let fleetWait: Duration
    public let interrupt: InterruptFlag

    /// A move of the line `range` of the map at `mapPath` to `target`.
    public init(
        mapPath: String, range: ClosedRange<Int64>, target: ShardEndpoint, daemon: DaemonReload, grace: Duration, rate: Int?,
        fleetWait: Duration = .seconds(300), interrupt: InterruptFlag
    ) {
        self.fleetWait = fleetWait
        self.mapPath = mapPath
        self.range = range
        self.target = target
        self.daemon = daemon
        self.grace = grace
        self.rate = rate
        self.interrupt = interrupt
    }

    /// Feeds per round trip.
    public static let batchSize = 200

    var journalPath: String { MoveJournal.path(forMap: mapPath) }
    var command: String { "hubdiffer shards move \(range.shardText) \(target.redactedURL) --file \(mapPath)" }

    public func run() async throws(MoveFailure) {
        let began = ContinuousClock.now
        let lock = try takeLock()
        let map = try load(lock)
        guard let line = map.ranges.first(where: { $0.first == range.lowerBound && $0.last == range.upperBound }) else {
            throw .refused(
                "\(range.shardText) is not one line of \(mapPath): a move takes a whole line; "
                    + "`hubdiffer shards split` the line that holds these IDs first (`hubdiffer shards list` shows the lines)")
        }
        let source: ShardEndpoint
        if let journal = try MoveJournal.load(journalPath) {
            source = try resume(journal)
            guard line.endpoint == source || line.endpoint == target else {
                throw .refused(
                    "\(mapPath) names \(line.endpoint.redactedURL) for \(range.shardText), neither end of the unfinished move "
                        + "(\(journalPath)): the map was changed by hand; set it back, or delete the journal once the keys are where the map says "
                        + "(and `HDEL \(String(decoding: StoreKeys.moves, as: UTF8.self)) \(range.shardText)` on \(target.redactedURL), or daemons keep reading the old server too)")
            }
            print("resuming the move of \(range.shardText) from \(source.redactedURL) to \(target.redactedURL) (\(journalPath))")
        } else {
            guard line.endpoint != target else {
                print("\(range.shardText) is already on \(target.redactedURL): nothing to move")
                return
            }
            source = line.endpoint
        }
        let copier = RangeCopier(
            source: RedisClient(endpoint: source), target: RedisClient(endpoint: target), range: range)
        try await ping(copier)
        try MoveJournal(
            range: range.shardText, source: source.url, target: target.url,
            started: ISO8601DateFormatter().string(from: Date())
        ).save(journalPath)
        // Daemons that switched keep reading the source while this stands on the target.
        try await announce(source: source, on: copier.target)
        if line.endpoint == source {
            print("move \(range.shardText) from \(source.redactedURL) to \(target.redactedURL)")
            let feeds = try await copier.feedsOnSource()
            let tally = try await copyAll(feeds, copier: copier, state: .replace, step: "copy", switched: false)
            report("copy", tally)
            try stopIfInterrupted("after the copy", switched: false)
            try switchMap(lock)
        }
        // Feeds the daemon first polled while the copy ran: before it reloads, and after.
        report("catch-up", try await copyAll(try await copier.feedsOnSource(), copier: copier, state: .whenMissing, step: "catch-up", switched: true))
        if let done = try daemon.signal() { print(done) }
        try await waitForFleet(digest: load(lock).digest, copier: copier)
        if grace > .zero {
            print("waiting \(grace.formatted(.units(allowed: [.seconds]))) for polls begun under the old map")
            try await wait(grace)
        }
        let feeds = try await copier.feedsOnSource()
        report("catch-up", try await copyAll(feeds, copier: copier, state: .whenMissing, step: "catch-up", switched: true))
        try await verify(feeds, copier: copier)
        // A daemon started meanwhile with an old copy of the map would still write the source.
        try await waitForFleet(digest: load(lock).digest, copier: copier, quiet: true)
        try await delete(feeds, copier: copier)
        try await withdrawAnnouncement(on: copier.target)
        MoveJournal.remove(journalPath)
        let seconds = (ContinuousClock.now - began).inSeconds
        print("done: \(range.shardText) moved to \(target.redactedURL) (\(feeds.count) feeds) in \(String(format: "%.1f", seconds)) s")
    }

    // MARK: - Steps

    private func takeLock() throws(MoveFailure) -> ShardMapEditorLock {
        do {
            return try ShardMapEditorLock(path: mapPath)
        } catch {
            if case .lockHeld(_, let pid) = error {
                throw .busy(
                    "another hubdiffer shards command edits \(mapPath) (pid \(pid.map(String.init) ?? "unknown")): "
                        + "run the move again when it has finished")
            }
            throw .refused("\(error)")
        }
    }

    private func load(_ lock: ShardMapEditorLock) throws(MoveFailure) -> ShardMap {
        do { return try ShardMap.load(from: mapPath) } catch { throw .refused("\(error)") }
    }

    /// The source of an unfinished move, when it is this one.
    private func resume(_ journal: MoveJournal) throws(MoveFailure) -> ShardEndpoint {
        let journalTarget = try? ShardEndpoint(url: journal.target)
        guard journal.range == range.shardText, journalTarget == target, let source = try? ShardEndpoint(url: journal.source)
        else {
            let other = journalTarget?.redactedURL ?? "another server"
            throw .busy(
                "the move of \(journal.range) to \(other) is unfinished (\(journalPath)): finish it first by running "
                    + "`hubdiffer shards move \(journal.range) \(other) --file \(mapPath)` again")
        }
        return source
    }

    private func ping(_ copier: RangeCopier) async throws(MoveFailure) {
        for client in [copier.source, copier.target] {
            do {
                _ = try await client.pipeline([RedisCommand("PING")])
            } catch {
                throw .server(client.endpoint.redactedURL, error)
            }
        }
    }

    private func switchMap(_ lock: ShardMapEditorLock) throws(MoveFailure) {
        do {
            let map = try ShardMap.editFile(holding: lock) { map throws(ShardMapError) in
                try map.setting(range: range, endpoint: target)
            }
            let where_ = map.lineNumber(of: range).map { "line \($0) of \(mapPath)" } ?? mapPath
            print("switch: \(where_) now names \(target.redactedURL) for \(range.shardText)")
        } catch {
            throw .refused("\(error)")
        }
    }

    /// Copies `feeds` a batch at a time, with progress on standard error.
    private func copyAll(
        _ feeds: [Int64], copier: RangeCopier, state: RangeCopier.StateCopy, step: String, switched: Bool
    ) async throws(MoveFailure) -> RangeCopier.Tally {
        var tally = RangeCopier.Tally()
        var progress = MoveProgress(step: step, total: feeds.count)
        let started = ContinuousClock.now
        var start = 0
        while start < feeds.count {
            try stopIfInterrupted("while \(step == "copy" ? "copying" : "catching up") (\(start) of \(feeds.count) feeds)", switched: switched)
            let end = min(start + Self.batchSize, feeds.count)
            tally = tally + (try await copier.copy(feeds[start..<end], state: state))
            start = end
            progress.update(done: start)
            if let rate, rate > 0 {
                let due = started + .milliseconds(start * 1000 / rate)
                if due > ContinuousClock.now { try? await Task.sleep(until: due, clock: .continuous) }
            }
        }
        return tally
    }

    private func verify(_ feeds: [Int64], copier: RangeCopier) async throws(MoveFailure) {
        var missing: [Int64] = []
        var start = 0
        while start < feeds.count {
            let end = min(start + Self.batchSize, feeds.count)
            missing += try await copier.unverified(feeds[start..<end])
            start = end
        }
        if !missing.isEmpty {
            // Written to the old server after the last catch-up: copy those once more.
            _ = try await copier.copy(missing[...], state: .whenMissing)
            missing = try await copier.unverified(missing[...])
        }
        guard missing.isEmpty else {
            let some = missing.prefix(5).map(String.init).joined(separator: ", ")
            throw .verification(
                "\(missing.count) feeds (\(some)\(missing.count > 5 ? ", …" : "")) still have keys on the old server that the "
                    + "new one lacks; nothing was deleted. Something still writes the old server under the old map: reload "
                    + "every daemon and one-shot fetch using \(mapPath), then run `\(command)` again")
        }
        print("verify: \(feeds.count) feeds: every set member and state is on \(target.redactedURL)")
    }

    private func delete(_ feeds: [Int64], copier: RangeCopier) async throws(MoveFailure) {
        var progress = MoveProgress(step: "delete", total: feeds.count)
        var start = 0
        while start < feeds.count {
            try stopIfInterrupted("while deleting the old copies (\(start) of \(feeds.count) feeds)", switched: true)
            let end = min(start + Self.batchSize, feeds.count)
            try await copier.deleteFromSource(feeds[start..<end])
            start = end
            progress.update(done: start)
        }
        print("delete: the old copies of \(feeds.count) feeds are gone from \(copier.source.endpoint.redactedURL)")
    }

    private func wait(_ duration: Duration) async throws(MoveFailure) {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            try stopIfInterrupted("while waiting for the daemon", switched: true)
            try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
        }
    }

    func stopIfInterrupted(_ when: String, switched: Bool) throws(MoveFailure) {
        guard interrupt.isRaised else { return }
        let safe =
            switched
            ? "\(mapPath) names \(target.redactedURL), which holds a copy of every set"
            : "\(mapPath) still names the old server, which holds every set"
        throw .interrupted("interrupted \(when); nothing is lost: \(safe). Run `\(command)` again to finish the move")
    }

    private func report(_ step: String, _ tally: RangeCopier.Tally) {
        print(
            "\(step): \(tally.feeds) feeds, \(tally.sets) sets (\(tally.membersAdded) members added), \(tally.states) states")
    }
}

/// Progress of one step on standard error, at most twice a second and at its end.
public struct MoveProgress {
    public let step: String
    public let total: Int
    private var lastShown = ContinuousClock.now

    public init(step: String, total: Int) {
        self.step = step
        self.total = total
    }

    public mutating func update(done: Int) {
        let now = ContinuousClock.now
        guard done == total || now - lastShown >= .milliseconds(500) else { return }
        lastShown = now
        let percent = total == 0 ? 100 : done * 100 / total
        StandardError.line("\(step): \(done) of \(total) feeds (\(percent)%)")
    }
}
