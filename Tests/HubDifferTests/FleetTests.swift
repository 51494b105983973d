import Foundation
import Glibc
import TestSupport
import Testing

/// Several daemons sharing one shard map, each with its own copy of the file as on its own
/// machine: registrations, `shards daemons`, a move that waits for the fleet, `--feed-ids`.
/// At nice 10, which the daemons, servers and farm it starts inherit: it is the heaviest suite
/// (up to three daemons, three redis-servers and a feed farm), and the suites that measure a
/// latency run beside it.
@Suite("hubdiffer run as a fleet", .serialized, .ownThread(nice: 10))
struct FleetTests {
    /// Pings only, quick registrations and map checks.
    static let fleetClock = DaemonTests.quietClock + ["--registration-interval", "1", "--map-check-interval", "1"]

    /// Waits until the farm saw every feed polled in `round` and no daemon has a poll in flight.
    static func settle(_ farm: FeedFarm, _ daemons: [DaemonHarness], round: Int) async throws {
        var awaiting = -1
        let polled = try await waitUntil(timeout: .seconds(120), every: .milliseconds(100)) {
            awaiting = try farm.awaiting(round: round)
            return awaiting == 0
        }
        #expect(polled, "round \(round): \(awaiting) feeds not polled")
        for daemon in daemons {
            #expect(try await waitUntil(timeout: .seconds(30)) { try daemon.get("/health").contains("\"in_flight\":0") })
        }
    }

    static func daemons(_ map: String) throws -> ParseCommandTests.Run {
        try ParseCommandTests.run(["shards", "daemons", "--file", map])
    }

    @Test(
        "two daemons with their own copies of the map; a range holding feeds of both moves to a third server while rounds run, the second copy updated late: the move waits for it, no entry is missed or sent twice; a daemon killed before is not waited for once its registration expires"
    )
    func moveWithTwoDaemons() async throws {
        let (r1, r2, r3) = (try RedisServerProcess(), try RedisServerProcess(), try RedisServerProcess())
        defer { [r1, r2, r3].forEach { $0.kill() } }
        let feedCount = 400
        let rounds = 8
        let farm = try FeedFarm(feeds: feedCount, rounds: rounds, seed: 11)
        defer { farm.stop() }
        // Feeds 0-199 on machine A, 200-399 on machine B; the range 0-249 holds feeds of both.
        let map = "0-249 \(r1.url)\n250-999 \(r2.url)\n"
        let a = try DaemonHarness(feeds: (0..<200).map { ($0, farm.url($0)) }, shards: map)
        let b = try DaemonHarness(feeds: (200..<feedCount).map { ($0, farm.url($0)) }, shards: map)
        let crashed = try DaemonHarness(feeds: [], shards: map)
        try await a.start(Self.fleetClock + ["--name", "machine-a"])
        try await b.start(Self.fleetClock + ["--name", "machine-b"])
        // Machine C's registration lives 15 s after it stops refreshing it.
        try await crashed.start(DaemonTests.quietClock + ["--name", "machine-c", "--registration-interval", "5"])

        let listed = try Self.daemons(a.shardsPath)
        #expect(try await waitUntil(timeout: .seconds(10)) {
            let text = try Self.daemons(a.shardsPath).stdout
            return ["machine-a", "machine-b", "machine-c"].allSatisfy(text.contains) && text.contains("3 daemons; all run")
        }, "\(listed.stdout)\(listed.stderr)")

        try a.ping(0..<200)
        try b.ping(200..<feedCount)
        try await Self.settle(farm, [a, b], round: 0)
        #expect(a.entries().isEmpty && b.entries().isEmpty, "the first poll's backlog was sent")

        var move: Process?
        let moveOutput = a.directory + "/move.txt"
        for round in 1...rounds {
            #expect(try farm.advance() == round)
            if round == 2 {
                #expect(await crashed.stop(SIGKILL) != nil)  // its registration stays until it expires
                // The move runs beside the rounds, from machine A, with A's copy of the map.
                _ = FileManager.default.createFile(atPath: moveOutput, contents: nil)
                let process = Process()
                process.executableURL = ParseCommandTests.executable
                process.arguments = [
                    "shards", "move", "0-249", r3.url, "--file", a.shardsPath, "--pid-file", a.directory + "/hubdiffer.pid",
                    "--grace", "8", "--wait", "60",
                ]
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: moveOutput))
                process.standardOutput = output
                process.standardError = output
                try process.run()
                move = process
            }
            try a.ping(0..<200)
            try b.ping(200..<feedCount)
            try await Self.settle(farm, [a, b], round: round)
            if round == 3 {
                // Config management reaches machine B while the move waits for it; B switches
                // after its round-3 polls marked the old server, and polls round 4 on the new
                // map during the move's grace, before its last catch-up: only reading the old
                // server as well (the handover) keeps round 3's entries from going out again.
                #expect(await waitUntil(timeout: .seconds(30)) {
                    ((try? String(contentsOfFile: moveOutput, encoding: .utf8)) ?? "").contains("fleet: waiting for")
                })
                #expect(try r3.command(["HGET", "hubdiffer:moving", "0-249"]).contains("127.0.0.1:"), "no mark of the move on the target")
                try String(contentsOfFile: a.shardsPath, encoding: .utf8).write(toFile: b.shardsPath, atomically: true, encoding: .utf8)
                #expect(await waitUntil(timeout: .seconds(10)) { b.log().contains("switched to the new shard map") })
            }
        }
        let moved = try #require(move)
        #expect(await waitUntil(timeout: .seconds(90)) { !moved.isRunning })
        moved.waitUntilExit()
        let text = (try? String(contentsOfFile: moveOutput, encoding: .utf8)) ?? ""
        print(text)
        #expect(moved.terminationStatus == 0, "\(text)")
        #expect(text.contains("fleet: waiting for") && text.contains("machine-b") && text.contains("machine-c"), "\(text)")
        #expect(text.contains("done: 0-249 moved to \(r3.url)"), "\(text)")
        #expect(try r3.command(["HLEN", "hubdiffer:moving"]).trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the move's mark stayed")
        let after = try Self.daemons(a.shardsPath)
        #expect(after.stdout.contains("2 daemons; all run"), "\(after.stdout)")
        #expect(!after.stdout.contains("machine-c"))

        #expect(await a.stop(SIGTERM)?.status == 0)
        #expect(await b.stop(SIGTERM)?.status == 0)
        let (expectedTotal, lost, twice, unexpected) = try DaemonTests.tally(farm, sent: a.entries() + b.entries(), feeds: 0..<feedCount)
        #expect(expectedTotal > 500, "the farm served few changes: \(expectedTotal)")
        print("fleet move: \(expectedTotal) entries expected; lost \(lost), twice \(twice), not new \(unexpected)")
        #expect(lost == 0, "\(lost) of \(expectedTotal) entries never sent")
        #expect(twice == 0, "\(twice) entries sent twice")
        #expect(unexpected == 0, "\(unexpected) entries sent that were not new")
    }

    @Test("two daemons with disjoint --feed-ids and the same feeds file: each polls only its own feeds; the rest is refused and counted")
    func disjointFeedIDs() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let feeds = (0..<100).map { ($0, server.url("/feed/plain?feed=\($0)")) }
        let low = try DaemonHarness(feeds: feeds, shards: "0-999 \(redis.url)\n")
        let high = try DaemonHarness(feeds: feeds, shards: "0-999 \(redis.url)\n")
        try await low.start(FeedsAPITests.quiet + ["--feed-ids", "0-49"])
        try await high.start(FeedsAPITests.quiet + ["--feed-ids", "50-99"])
        #expect(low.log().contains("refused 50 feeds outside --feed-ids 0-49"))
        #expect(try low.metric("hubdiffer_feeds_refused_total", "source=\"file\"") == 50)
        #expect(try high.metric("hubdiffer_feeds_refused_total", "source=\"file\"") == 50)
        #expect(try low.ping(0..<100).hasPrefix("50 of 100 feeds known"))
        #expect(try high.ping(0..<100).hasPrefix("50 of 100 feeds known"))
        #expect(try await waitUntil(timeout: .seconds(30)) { try server.log().count == 100 })
        let polls = Dictionary(grouping: try server.log().compactMap { entry in
            entry.path.range(of: "feed=").flatMap { Int(entry.path[$0.upperBound...]) }
        }, by: { $0 }).mapValues(\.count)
        #expect(polls.count == 100 && polls.values.allSatisfy { $0 == 1 }, "\(polls.filter { $0.value != 1 })")

        let refused = try low.request("PUT", "/feeds/70", form: FeedsAPITests.form(server.url("/feed/plain?feed=70")))
        #expect(refused.status == 400 && refused.body.contains("--feed-ids"), "\(refused)")
        #expect(try low.metric("hubdiffer_feeds_refused_total", "source=\"api\"") == 1)
        let daemons = try ParseCommandTests.run(["shards", "daemons", "--file", low.shardsPath, "--json"])
        #expect(daemons.stdout.contains("\"feed_ids\":\"0-49\"") && daemons.stdout.contains("\"feed_ids\":\"50-99\""), "\(daemons.stdout)")
    }
}

extension FleetTests {
    @Test("a changed map file is loaded within seconds without SIGHUP; a broken one is refused with one line and the map in use stays")
    func mapFileWatched() async throws {
        let (r1, r2) = (try RedisServerProcess(), try RedisServerProcess())
        defer { [r1, r2].forEach { $0.kill() } }
        let daemon = try DaemonHarness(feeds: [(1, "https://feeds.example/one")], shards: "0-999 \(r1.url)\n")
        try await daemon.start(Self.fleetClock)
        try "0-999 \(r2.url)\n".write(toFile: daemon.shardsPath, atomically: true, encoding: .utf8)
        #expect(await waitUntil(timeout: .seconds(10)) { daemon.log().contains("switched to the new shard map") })
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(1)?["shard"] as? String == r2.url })

        try "0-999 redis://nowhere:6379/0\n0-10 overlapping\n".write(toFile: daemon.shardsPath, atomically: true, encoding: .utf8)
        #expect(await waitUntil(timeout: .seconds(10)) { daemon.log().contains("kept the shard map in use") })
        // Several checks later, still one line for this version of the file.
        let checked = ContinuousClock.now + .seconds(3)
        _ = await waitUntil(timeout: .seconds(4)) { ContinuousClock.now >= checked }
        #expect(daemon.log().components(separatedBy: "kept the shard map in use").count == 2)
        #expect(try daemon.feedStatus(1)?["shard"] as? String == r2.url)
        #expect(daemon.isRunning)
    }

    @Test("shards daemons says which server it cannot ask, and exits 69")
    func daemonsWithAServerDown() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let down = try RedisServerProcess.freePort()
        let daemon = try DaemonHarness(feeds: [], shards: "0-499 \(redis.url)\n500-999 redis://127.0.0.1:\(down)/0\n")
        try await daemon.start(Self.fleetClock + ["--name", "lonely"])
        #expect(try await waitUntil(timeout: .seconds(10)) { try Self.daemons(daemon.shardsPath).stdout.contains("lonely") })
        let run = try Self.daemons(daemon.shardsPath)
        #expect(run.status == 69)
        #expect(run.stderr.contains("127.0.0.1:\(down)") && run.stderr.contains("unreachable"), "\(run.stderr)")
        #expect(run.stdout.contains("1 daemon; all run"), "\(run.stdout)")
    }
}

extension FleetTests {
    @Test("a daemon restarted during a move (the map already switched) reads the old server too: a known feed's entries are not sent again")
    func restartDuringMove() async throws {
        let (r1, r3) = (try RedisServerProcess(), try RedisServerProcess())
        defer { [r1, r3].forEach { $0.kill() } }
        let server = try QuirkyServer()
        defer { server.stop() }
        let daemon = try DaemonHarness(feeds: [(7, server.url("/feed/plain?feed=7&items=3"))], shards: "0-999 \(r1.url)\n")
        try await daemon.start(Self.fleetClock)
        try daemon.ping([7])
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(7)?["last_outcome"] as? String == "first_poll" })
        #expect(await daemon.stop(SIGTERM)?.status == 0)

        // The move switched the map and marked itself on the target; its catch-up has not run.
        try "0-999 \(r3.url)\n".write(toFile: daemon.shardsPath, atomically: true, encoding: .utf8)
        _ = try r3.command(["HSET", "hubdiffer:moving", "0-999", r1.url])
        try await daemon.start(Self.fleetClock)
        #expect(daemon.log().contains("a shards move is under way"))
        try daemon.ping([7])
        // Status is kept in memory: after the restart, a last poll is this one.
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(7)?["last_poll"] is String })
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.get("/health").contains("\"in_flight\":0") })
        #expect(daemon.entries().isEmpty, "the known feed's entries went out again: \(daemon.entries().count)")
        #expect(try daemon.feedStatus(7)?["last_outcome"] as? String != "first_poll")
    }
}

extension FleetTests {
    @Test("two daemons given one --name: the clash is said in the log")
    func nameClash() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let first = try DaemonHarness(feeds: [], shards: "0-999 \(redis.url)\n")
        let second = try DaemonHarness(feeds: [], shards: "0-999 \(redis.url)\n")
        try await first.start(Self.fleetClock + ["--name", "twin"])
        try await second.start(Self.fleetClock + ["--name", "twin"])
        #expect(await waitUntil(timeout: .seconds(10)) {
            (first.log() + second.log()).contains("another running daemon registers as twin too")
        })

        // One daemon restarted under its name (its last run's registration still alive) is not a clash.
        let solo = try DaemonHarness(feeds: [], shards: "0-999 \(redis.url)\n")
        try await solo.start(Self.fleetClock + ["--name", "solo"])
        #expect(try await waitUntil(timeout: .seconds(10)) { try Self.daemons(solo.shardsPath).stdout.contains("solo") })
        #expect(await solo.stop(SIGKILL) != nil)
        try await solo.start(Self.fleetClock + ["--name", "solo"])
        let settled = ContinuousClock.now + .seconds(3)
        _ = await waitUntil(timeout: .seconds(4)) { ContinuousClock.now >= settled }
        #expect(!solo.log().contains("registers as solo too"), "\(solo.log())")
    }
}
