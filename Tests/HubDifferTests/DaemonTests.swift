import Foundation
import Glibc
import TestSupport
import Testing

/// `hubdiffer run` end to end: the feed farm's feeds change round by round, the daemon is
/// pinged to poll them all, and what it printed is checked against what the farm served.
@Suite("hubdiffer run", .serialized, .ownThread)
struct DaemonTests {
    /// Waits until the farm saw every feed polled in `round`, then until no poll is in flight.
    static func settle(_ farm: FeedFarm, _ daemon: DaemonHarness, round: Int, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        var awaiting = -1
        let polled = try await waitUntil(timeout: timeout, every: .milliseconds(100)) {
            awaiting = try farm.awaiting(round: round)
            return awaiting == 0
        }
        #expect(polled, "round \(round): \(awaiting) feeds not polled")
        let idle = try await waitUntil(timeout: max(deadline - .now, .seconds(5)), every: .milliseconds(50)) {
            try daemon.get("/health").contains("\"in_flight\":0")
        }
        #expect(idle, "round \(round): polls still in flight")
    }

    /// What the daemons sent against what the farm served: the entries expected, those never
    /// sent, and, of the feeds `exact` holds, those sent twice and those sent that were not new.
    static func tally(
        _ farm: FeedFarm, sent entries: [(feed: Int, link: String)], feeds: Range<Int>, exact: (Int) -> Bool = { _ in true }
    ) throws -> (expected: Int, lost: Int, twice: Int, unexpected: Int) {
        let expected = try farm.expected()
        var sent: [Int: [String: Int]] = [:]
        for (feed, link) in entries { sent[feed, default: [:]][link, default: 0] += 1 }
        var (lost, twice, unexpected) = (0, 0, 0)
        for feed in feeds {
            let want = Set(expected[feed] ?? [])
            let got = sent[feed] ?? [:]
            lost += want.count { got[$0] == nil }
            if exact(feed) {
                twice += got.values.count { $0 > 1 }
                unexpected += got.keys.count { !want.contains($0) }
            }
        }
        return (expected.values.reduce(0) { $0 + $1.count }, lost, twice, unexpected)
    }

    /// Feeds polled only when pinged, and pinged round after round without waiting for a ping
    /// window (`PingFloodTests` checks the coalescing).
    static let quietClock = ["--interval", "3600", "--min-interval", "1", "--max-interval", "3600", "--ping-interval", "0"]

    @Test(
        "1,000 changing feeds over 10 rounds, one of two shards down for two rounds, a broken reload: each new entry sent, exactly once where the shard stayed up"
    )
    func thousandFeedsTenRounds() async throws {
        let feedCount = 1000
        let rounds = 10
        let a = try RedisServerProcess()
        defer { a.kill() }
        let b = try RedisServerProcess()
        defer { b.kill() }
        let farm = try FeedFarm(feeds: feedCount, rounds: rounds)
        defer { farm.stop() }
        let shards = "0-499 \(a.url)\n500-999 \(b.url)\n"
        let daemon = try DaemonHarness(feeds: (0..<feedCount).map { ($0, farm.url($0)) }, shards: shards)
        try await daemon.start(Self.quietClock)

        try daemon.ping(0..<feedCount)
        try await Self.settle(farm, daemon, round: 0)
        #expect(daemon.entries().isEmpty, "the first poll's backlog was sent")

        for round in 1...rounds {
            if round == 3 { b.kill() }
            if round == 5 { try b.start() }
            if round == 7 {
                try "0-499 redis://nowhere:6379/0\n0-10 overlapping\n".write(toFile: daemon.shardsPath, atomically: true, encoding: .utf8)
                try "1 not-a-url\n".write(toFile: daemon.feedsPath + ".new", atomically: true, encoding: .utf8)
                let feeds = try String(contentsOfFile: daemon.feedsPath, encoding: .utf8)
                try FileManager.default.moveItem(atPath: daemon.feedsPath + ".new", toPath: daemon.feedsPath + ".broken")
                try "1 not-a-url\n".write(toFile: daemon.feedsPath, atomically: true, encoding: .utf8)
                daemon.signal(SIGHUP)
                // The daemon refuses both files, one line each, and keeps running.
                #expect(await waitUntil(timeout: .seconds(30)) {
                    let log = daemon.log()
                    return log.contains("kept the shard map in use") && log.contains("kept the feeds in use")
                })
                #expect(daemon.isRunning)
                #expect(daemon.log().contains("kept the shard map in use"))
                #expect(daemon.log().contains("kept the feeds in use"))
                try shards.write(toFile: daemon.shardsPath, atomically: true, encoding: .utf8)
                try feeds.write(toFile: daemon.feedsPath, atomically: true, encoding: .utf8)
                daemon.signal(SIGHUP)
            }
            #expect(try farm.advance() == round)
            try daemon.ping(0..<feedCount)
            try await Self.settle(farm, daemon, round: round)
        }
        let stopped = await daemon.stop(SIGTERM)
        #expect(stopped?.status == 0 && (stopped?.seconds ?? 99) < 5, "\(String(describing: stopped))")

        // Shard A stayed up: its feeds (0-499) exactly once, and nothing else.
        let (expectedTotal, lost, twice, unexpected) = try Self.tally(farm, sent: daemon.entries(), feeds: 0..<feedCount, exact: { $0 < 500 })
        #expect(expectedTotal > 2000, "the farm served few changes: \(expectedTotal)")
        #expect(lost == 0, "\(lost) of \(expectedTotal) entries never sent")
        #expect(twice == 0, "\(twice) entries of shard A's feeds sent twice")
        #expect(unexpected == 0, "\(unexpected) entries of shard A's feeds sent that were not new (backlog)")
        let log = daemon.log()
        #expect(log.contains("410 Gone"))
        #expect(log.contains("polling http://127.0.0.1:\(farm.port)/moved/"), "no redirect adopted")
    }

    @Test("kill -9 mid-run and a restart: every new entry still goes out")
    func killAndRestart() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: 200, rounds: 4, seed: 7)
        defer { farm.stop() }
        let daemon = try DaemonHarness(feeds: (0..<200).map { ($0, farm.url($0)) }, shards: "0-9223372036854775807 \(redis.url)\n")
        try await daemon.start(Self.quietClock)
        try daemon.ping(0..<200)
        try await Self.settle(farm, daemon, round: 0)
        try farm.advance()
        try daemon.ping(0..<200)
        try await Self.settle(farm, daemon, round: 1)
        try farm.advance()
        try daemon.ping(0..<200)
        // Mid-run: once the farm has served the round's first polls.
        #expect(try await waitUntil(timeout: .seconds(30), every: .milliseconds(5)) { try farm.awaiting(round: 2) < 200 })
        #expect(await daemon.stop(SIGKILL)?.status == SIGKILL)
        try await daemon.start(Self.quietClock)
        try daemon.ping(0..<200)
        try await Self.settle(farm, daemon, round: 2)
        try farm.advance()
        try daemon.ping(0..<200)
        try await Self.settle(farm, daemon, round: 3)
        #expect(await daemon.stop(SIGINT)?.status == 0)

        let expected = try farm.expected()
        let sent = Set(daemon.entries().map { "\($0.feed) \($0.link)" })
        let want = expected.flatMap { feed, links in links.map { "\(feed) \($0)" } }
        #expect(want.count > 200)
        let lost = want.filter { !sent.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) entries lost after kill -9: \(lost.prefix(3))")
    }

    @Test("bad start-up input: one line that says what to fix, and the sysexits status")
    func startupErrors() throws {
        let missing = try ParseCommandTests.run(["run", "--feeds", "/nonexistent/feeds.txt", "--control", "off"])
        #expect(missing.status == 78 && missing.stderr.contains("/nonexistent/feeds.txt: cannot be read"), "\(missing.stderr)")
        let daemon = try DaemonHarness(feeds: [(1, "http://127.0.0.1:1/feed")], shards: "0-9 redis://127.0.0.1:1/0\n")
        try "1 http://a.example/x\n1 http://b.example/y\n".write(toFile: daemon.feedsPath, atomically: true, encoding: .utf8)
        let duplicate = try ParseCommandTests.run(["run", "--feeds", daemon.feedsPath, "--shards", daemon.shardsPath, "--control", "off"])
        #expect(duplicate.status == 78 && duplicate.stderr.contains(":2: feed 1 is listed again (first on line 1)"), "\(duplicate.stderr)")
        let mode = try ParseCommandTests.run(["run", "--first-poll", "sometimes"])
        #expect(mode.status == 64 && mode.stderr.contains("first-poll must be record or emit"))
        let bounds = try ParseCommandTests.run(["run", "--min-interval", "600", "--max-interval", "60"])
        #expect(bounds.status == 64 && bounds.stderr.contains("min-interval (600 s) is above max-interval (60 s)"))
        let help = try ParseCommandTests.run(["run", "--help"])
        #expect(help.stdout.contains("Examples:") && help.stdout.contains("hubdiffer run --feeds feeds.txt"))
    }
}
