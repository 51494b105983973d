import Foundation
import Glibc
import TestSupport
import Testing

@testable import EntryStore

/// The promise under Redis faults, end to end: the daemon over the feed farm, a fault while
/// feeds have their first polls (or between a stop and a start), then healthy rounds. Every
/// entry the farm served after a feed's first poll must go out; where the fault is an outage,
/// none twice.
@Suite("hubdiffer run under Redis faults", .serialized, .ownThread)
struct RedisFaultDaemonTests {
    static let feedCount = 48

    /// What the daemon sent against what the farm served after each feed's first poll.
    struct Tally: CustomStringConvertible {
        var expected = 0
        var lost = 0
        var twice = 0
        var backlog = 0
        /// The most times one entry was sent.
        var mostSendings = 0
        /// A few entries never sent, as "feed link".
        var lostExamples: [String] = []
        var description: String {
            "expected \(expected), lost \(lost), sent twice \(twice), backlog sent \(backlog), most sendings of one entry \(mostSendings)\(lostExamples.isEmpty ? "" : "; lost: \(lostExamples)")"
        }
    }

    static func tally(_ farm: FeedFarm, _ daemon: DaemonHarness, feeds: (Int) -> Bool = { _ in true }) throws -> Tally {
        let expected = try farm.expected()
        var sent: [Int: [String: Int]] = [:]
        for (feed, link) in daemon.entries() { sent[feed, default: [:]][link, default: 0] += 1 }
        var tally = Tally()
        for feed in 0..<feedCount where feeds(feed) {
            let want = Set(expected[feed] ?? [])
            let got = sent[feed] ?? [:]
            tally.expected += want.count
            tally.lost += want.count { got[$0] == nil }
            tally.lostExamples += want.filter { got[$0] == nil }.prefix(3 - min(3, tally.lostExamples.count)).map { "\(feed) \($0)" }
            tally.twice += got.values.count { $0 > 1 }
            tally.backlog += got.keys.count { !want.contains($0) }
            tally.mostSendings = max(tally.mostSendings, got.values.max() ?? 0)
        }
        return tally
    }

    /// Stops the daemon (SIGTERM: exit 0) and tallies what it sent.
    static func finish(_ farm: FeedFarm, _ daemon: DaemonHarness, _ test: String = #function) async throws -> Tally {
        #expect(await daemon.stop(SIGTERM)?.status == 0)
        let tally = try tally(farm, daemon)
        print("\(test): \(tally)")
        #expect(tally.expected > 50, "\(tally)")
        return tally
    }

    /// Pings every feed in the farm's next round and waits until all were polled.
    static func round(_ farm: FeedFarm, _ daemon: DaemonHarness, advance: Bool = true) async throws {
        let round = advance ? try farm.advance() : 0
        try daemon.ping(0..<feedCount)
        try await DaemonTests.settle(farm, daemon, round: round)
    }

    /// Waits (pinging one feed of the shard, with a deadline) until the shard is used again.
    static func waitUntilShardUp(_ daemon: DaemonHarness, timeout: Duration = .seconds(60)) async throws -> Bool {
        try await waitUntil(timeout: timeout, every: .milliseconds(200)) {
            if try daemon.metric("hubdiffer_store_shard_up") == 1 { return true }
            try daemon.ping([0])
            return false
        }
    }

    static func start(_ redis: RedisServerProcess, _ farm: FeedFarm) async throws -> DaemonHarness {
        let daemon = try DaemonHarness(
            feeds: (0..<feedCount).map { ($0, farm.url($0)) }, shards: "0-9223372036854775807 \(redis.url)\n")
        try await daemon.start(DaemonTests.quietClock)
        return daemon
    }

    @Test("Redis refuses writes (maxmemory 1: OOM) during the first polls, then recovers: 0 missed, 0 twice; one log line, counted")
    func outOfMemoryDuringFirstPolls() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: Self.feedCount, rounds: 5, seed: 11)
        defer { farm.stop() }
        #expect(try redis.command(["CONFIG", "SET", "maxmemory", "1"]) == "OK")
        let refusing = ContinuousClock.now
        let daemon = try await Self.start(redis, farm)
        try await Self.round(farm, daemon, advance: false)
        #expect(daemon.entries().isEmpty, "the first poll's backlog was sent")
        try await Self.round(farm, daemon)
        try await Self.round(farm, daemon)
        #expect(try redis.command(["DBSIZE"]) == "0", "a write landed under OOM")
        #expect(try daemon.metric("hubdiffer_store_errors_total", "kind=\"oom\"") ?? 0 > 0)
        #expect(try daemon.metric("hubdiffer_store_shard_writable") == 0)
        #expect(try redis.command(["CONFIG", "SET", "maxmemory", "0"]) == "OK")
        // The kind is logged again after a quiet minute (StoreErrorReporter): a loaded machine
        // can stretch the refusing rounds past it.
        let refusedFor = ContinuousClock.now - refusing
        for _ in 0..<3 { try await Self.round(farm, daemon) }
        #expect(try Int(redis.command(["DBSIZE"])) ?? 0 > Self.feedCount, "the sets were not written after recovery")
        let tally = try await Self.finish(farm, daemon)
        #expect(tally.lost == 0 && tally.twice == 0 && tally.backlog == 0, "\(tally)")
        let log = daemon.log()
        let lines = log.components(separatedBy: "refuses writes (out of memory)").count - 1
        #expect(lines >= 1 && lines <= 1 + Int(refusedFor / StoreErrorReporter.defaultQuietPeriod), "\(lines) lines in \(refusedFor): \(log.suffix(3000))")
        #expect(log.contains("shard accepts writes again"))
    }

    @Test("the shard is down when the daemon starts and comes back later: 0 missed, each entry sent once")
    func shardDownAtStart() async throws {
        let redis = try RedisServerProcess(started: false)
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: Self.feedCount, rounds: 5, seed: 12)
        defer { farm.stop() }
        let daemon = try await Self.start(redis, farm)
        try await Self.round(farm, daemon, advance: false)
        #expect(daemon.entries().isEmpty, "the first poll's backlog was sent")
        try await Self.round(farm, daemon)
        try await Self.round(farm, daemon)
        // Polls while the shard is down do not count as news.
        #expect(try daemon.metric("hubdiffer_polls_total", "outcome=\"store_unavailable\"") ?? 0 > 0)
        #expect(try daemon.metric("hubdiffer_unconfirmed_entries") ?? 0 > 0)
        try redis.start()
        #expect(try await Self.waitUntilShardUp(daemon))
        for _ in 0..<3 { try await Self.round(farm, daemon) }
        #expect(try daemon.metric("hubdiffer_unconfirmed_entries") == 0, "entries still held after the shard came back")
        let tally = try await Self.finish(farm, daemon)
        #expect(tally.lost == 0 && tally.twice == 0 && tally.backlog == 0, "\(tally)")
    }

    @Test("the shard loses its data (FLUSHALL), then the daemon restarts: 0 missed")
    func dataLossThenRestart() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: Self.feedCount, rounds: 5, seed: 13)
        defer { farm.stop() }
        let daemon = try await Self.start(redis, farm)
        try await Self.round(farm, daemon, advance: false)
        try await Self.round(farm, daemon)
        #expect(await daemon.stop(SIGTERM)?.status == 0)
        #expect(try redis.command(["FLUSHALL"]) == "OK")
        _ = try farm.advance()
        try await daemon.start(DaemonTests.quietClock)
        try daemon.ping(0..<Self.feedCount)
        try await DaemonTests.settle(farm, daemon, round: 2)
        for _ in 0..<2 { try await Self.round(farm, daemon) }
        let tally = try await Self.finish(farm, daemon)
        #expect(tally.lost == 0, "\(tally)")
    }

    @Test("Redis closes idle connections (timeout 1): reconnected, not an outage; 0 missed, 0 twice; one log line, counted")
    func idleTimeout() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        #expect(try redis.command(["CONFIG", "SET", "timeout", "1"]) == "OK")
        let farm = try FeedFarm(feeds: Self.feedCount, rounds: 4, seed: 14)
        defer { farm.stop() }
        let daemon = try await Self.start(redis, farm)
        try await Self.round(farm, daemon, advance: false)
        for _ in 0..<4 {
            // Until the server has closed the daemon's idle connection (only redis-cli is left).
            try await waitUntil(timeout: .seconds(20), every: .milliseconds(100)) {
                try redis.command(["CLIENT", "LIST"]).split(separator: "\n").count <= 1
            }
            try await Self.round(farm, daemon)
        }
        #expect(try daemon.metric("hubdiffer_store_errors_total", "kind=\"closed\"") ?? 0 >= 1)
        let tally = try await Self.finish(farm, daemon)
        #expect(tally.lost == 0 && tally.twice == 0 && tally.backlog == 0, "\(tally)")
        let log = daemon.log()
        #expect(log.components(separatedBy: "closed an idle connection").count - 1 == 1)
        #expect(!log.contains("shard is down"), "the idle close was taken for an outage")
    }

    @Test("a hung shard (SIGSTOP) mid-run, then back with its data: each entry sent at most once more, what was held is written even for feeds that no longer change")
    func outageMidRun() async throws {
        let redis = try RedisServerProcess()
        defer {
            redis.signal(SIGCONT)
            redis.kill()
        }
        let farm = try FeedFarm(feeds: Self.feedCount, rounds: 3, seed: 15)
        defer { farm.stop() }
        let daemon = try await Self.start(redis, farm)
        try await Self.round(farm, daemon, advance: false)
        try await Self.round(farm, daemon)
        try await Self.round(farm, daemon)
        redis.signal(SIGSTOP)
        try await Self.round(farm, daemon)  // the last round with changes
        #expect(try daemon.metric("hubdiffer_unconfirmed_entries") ?? 0 > 0)
        redis.signal(SIGCONT)
        #expect(try await Self.waitUntilShardUp(daemon))
        // From here on the feeds do not change: 304s and unchanged bodies write what is held.
        for _ in 0..<2 { try await Self.round(farm, daemon) }
        #expect(try daemon.metric("hubdiffer_unconfirmed_entries") == 0, "entries still held after the shard came back")
        let tally = try await Self.finish(farm, daemon)
        #expect(tally.lost == 0 && tally.mostSendings <= 2, "\(tally)")
    }

    @Test("an upgrade or a lost state directory while the shard is down: the feeds' sets decide, and what they lack is sent")
    func emptyStateDirectoryAndShardDown() async throws {
        let redis = try RedisServerProcess()
        defer {
            redis.signal(SIGCONT)
            redis.kill()
        }
        let farm = try FeedFarm(feeds: Self.feedCount, rounds: 5, seed: 16)
        defer { farm.stop() }
        let daemon = try await Self.start(redis, farm)
        try await Self.round(farm, daemon, advance: false)
        try await Self.round(farm, daemon)
        #expect(await daemon.stop(SIGTERM)?.status == 0)
        try FileManager.default.removeItem(atPath: daemon.directory + "/state")
        redis.signal(SIGSTOP)
        _ = try farm.advance()
        try await daemon.start(DaemonTests.quietClock)
        try daemon.ping(0..<Self.feedCount)
        try await DaemonTests.settle(farm, daemon, round: 2)
        redis.signal(SIGCONT)
        #expect(try await Self.waitUntilShardUp(daemon))
        for _ in 0..<2 { try await Self.round(farm, daemon) }
        let tally = try await Self.finish(farm, daemon)
        #expect(tally.twice == 0 && tally.backlog == 0, "\(tally)")
        // The one window left (README): an entry published between the last poll before the
        // restart and the first one after it, while the shard cannot be read, that leaves the
        // feed again before the shard is back, is never sent: the daemon held only its key.
        // Only the farm's `atom-remove` feeds (i % 8 == 7) drop an entry other than the oldest.
        let removing = try Self.tally(farm, daemon, feeds: { $0 % 8 == 7 })
        #expect(tally.lost == removing.lost, "entries lost outside the documented window: \(tally)")
    }
}
