import Foundation
import Glibc
import TestSupport
import Testing

/// Hostile documents under a running daemon: healthy feeds keep their pace, `/health` stays
/// 200, the refusals are counted, and SIGTERM still ends the process within the grace.
@Suite("hubdiffer run with hostile feeds", .serialized, .ownThread)
struct HostileFeedDaemonTests {
    @Test("two documents with 500,000 attributes each: healthy feeds keep being polled and delivered, /health 200, SIGTERM within --stop-grace + 1 s")
    func halfAMillionAttributes() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let farm = try FeedFarm(feeds: 24, rounds: 3, seed: 5)
        defer { farm.stop() }
        var hostile = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item"
        for index in 0..<500_000 { hostile += " attr\(index)=\"xy\"" }
        hostile += "><title>hostile</title></item></channel></rss>"
        let nginx = try NginxProcess(files: ["a.xml": Array(hostile.utf8), "b.xml": Array(hostile.utf8)])
        defer { nginx.stop() }
        let feeds = (0..<24).map { ($0, farm.url($0)) } + [(100, nginx.baseURL + "/a.xml"), (101, nginx.baseURL + "/b.xml")]
        let daemon = try DaemonHarness(feeds: feeds, shards: "0-999 \(redis.url)\n")
        try await daemon.start(DaemonTests.quietClock + ["--stop-grace", "2"])
        try daemon.ping(Array(0..<24) + [100, 101])
        try await DaemonTests.settle(farm, daemon, round: 0)
        for _ in 1...3 {
            let round = try farm.advance()
            try daemon.ping(Array(0..<24) + [100, 101])
            #expect(try daemon.get("/health").contains("\"status\":\"ok\""))
            try await DaemonTests.settle(farm, daemon, round: round)
        }
        let metrics = try daemon.get("/metrics")
        let hostileLine = metrics.split(separator: "\n").first { $0.hasPrefix("hubdiffer_polls_total") && $0.contains("hostile_document") }
        #expect(hostileLine.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0 >= 2, "\(metrics)")
        let stopped = await daemon.stop(SIGTERM)
        #expect(stopped?.status == 0 && (stopped?.seconds ?? 99) < 3, "\(String(describing: stopped))")

        let expected = try farm.expected()
        let sent = Set(daemon.entries().map { "\($0.feed) \($0.link)" })
        let want = expected.flatMap { feed, links in links.map { "\(feed) \($0)" } }
        #expect(want.count > 20)
        #expect(want.allSatisfy { sent.contains($0) }, "healthy feeds lost entries")
        #expect(daemon.log().contains("an element with 500000 attributes"))
    }
}
