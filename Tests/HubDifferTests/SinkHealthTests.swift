import Foundation
import TestSupport
import Testing

/// A sink that stops taking entries: `/health` says so, and past `--sink-grace` the daemon
/// exits non-zero (for systemd to restart it) with the entries unmarked.
@Suite("hubdiffer run with a sink that stops reading", .serialized, .ownThread)
struct SinkHealthTests {
    @Test("`hubdiffer run | head -1`: the daemon exits 74 within the grace, with one clear line; nothing is marked")
    func stdoutClosed() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: 20, rounds: 1, seed: 3)
        defer { farm.stop() }
        let daemon = try DaemonHarness(feeds: (0..<20).map { ($0, farm.url($0)) }, shards: "0-99 \(redis.url)\n")
        let arguments = [
            "run", "--feeds", daemon.feedsPath, "--shards", daemon.shardsPath, "--control", "off",
            "--allow-private-addresses", "--state-dir", daemon.directory + "/state", "--first-poll", "emit",
            "--interval", "2", "--min-interval", "1", "--sink-grace", "2", "--stop-grace", "1",
        ].map { "'\($0)'" }.joined(separator: " ")
        let script = "'\(ParseCommandTests.executable.path)' \(arguments) 2>'\(daemon.stderrPath)' | head -1; exit ${PIPESTATUS[0]}"
        let start = Date()
        let run = try ChildProcess.run("/bin/bash", ["-c", script])
        let seconds = Date().timeIntervalSince(start)
        let log = daemon.log()
        #expect(run.status == 74, "\(log.suffix(2000))")
        #expect(String(decoding: run.output, as: UTF8.self).split(separator: "\n").count == 1)
        #expect(seconds < 15, "took \(seconds) s")
        #expect(log.components(separatedBy: "refused every entry").count - 1 == 1, "\(log.suffix(2000))")
        // Only what went out before the pipe closed is marked: the feeds polled after it are not.
        let unmarked = try (0..<20).count { try redis.command(["EXISTS", "e:\($0)"]) == "0" }
        #expect(unmarked > 0, "every feed was marked though the sink refused entries")
    }

    @Test("/health reports the sink and the age of the last poll")
    func healthReportsSink() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: 4, rounds: 1, seed: 4)
        defer { farm.stop() }
        let daemon = try DaemonHarness(feeds: (0..<4).map { ($0, farm.url($0)) }, shards: "0-99 \(redis.url)\n")
        try await daemon.start(DaemonTests.quietClock)
        let before = try daemon.get("/health")
        #expect(before.contains("\"last_poll_age_seconds\":null") && before.contains("\"sink\":{\"name\":\"stdout\",\"state\":\"ok\"}"), "\(before)")
        try daemon.ping(0..<4)
        try await DaemonTests.settle(farm, daemon, round: 0)
        let after = try daemon.get("/health")
        #expect(after.contains("\"status\":\"ok\"") && !after.contains("\"last_poll_age_seconds\":null"), "\(after)")
        #expect(await daemon.stop(SIGTERM)?.status == 0)
    }
}
