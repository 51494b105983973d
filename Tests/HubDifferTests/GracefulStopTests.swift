import EntryStore
import Foundation
import Glibc
import TestSupport
import Testing

/// SIGTERM with polls in flight: the daemon's service group stops taking feeds, gives the
/// polls in flight the stop grace, cancels the rest (their transfers leave libcurl), and exits
/// 0 within the grace and a second; a feed is marked only after its entries went out.
@Suite("hubdiffer run stopping with polls in flight", .serialized, .ownThread)
struct GracefulStopTests {
    @Test("SIGTERM while 20 polls wait on a slow server: exit 0 within --stop-grace + 1 s; the slow feeds unmarked, every marked feed delivered")
    func stopWithPollsInFlight() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let slow = try QuirkyServer()
        defer { slow.stop() }
        let files = Dictionary(uniqueKeysWithValues: (0..<10).map { ("f\($0).xml", Array(FeedFixtures.rss(items: 1...3).utf8)) })
        let nginx = try NginxProcess(files: files)
        defer { nginx.stop() }
        let fast = (0..<10).map { ($0, nginx.baseURL + "/f\($0).xml") }
        // Each answers after 60 s: far past the grace, so these polls are in flight at SIGTERM.
        let slowFeeds = (100..<120).map { ($0, slow.url("/delay?ms=60000&feed=\($0)")) }
        let daemon = try DaemonHarness(feeds: fast + slowFeeds, shards: "0-999 \(redis.url)\n")
        let grace = 2.0
        try await daemon.start(DaemonTests.quietClock + ["--stop-grace", "\(Int(grace))", "--first-poll", "emit"])
        try daemon.ping(fast.map(\.0) + slowFeeds.map(\.0))

        // Wait until the fast feeds are delivered and the slow ones are in flight.
        var inFlight = 0.0
        _ = try await waitUntil(timeout: .seconds(30)) {
            inFlight = try daemon.metric("hubdiffer_polls_in_flight") ?? 0
            return Set(daemon.entries().map(\.feed)).count == fast.count && inFlight >= Double(slowFeeds.count)
        }
        #expect(inFlight >= Double(slowFeeds.count), "the slow polls were not all in flight: \(inFlight)")
        #expect(Set(daemon.entries().map(\.feed)) == Set(fast.map(\.0)))

        let stopped = await daemon.stop(SIGTERM)
        print("graceful stop: \(Int(inFlight)) polls in flight, exit \(stopped?.status ?? -1) after \(String(format: "%.2f", stopped?.seconds ?? -1)) s (grace \(Int(grace)) s)")
        #expect(stopped?.status == 0, "\(String(describing: stopped))\n\(daemon.log())")
        #expect((stopped?.seconds ?? 99) < grace + 1, "took \(stopped?.seconds ?? -1) s with --stop-grace \(Int(grace))")
        #expect(daemon.log().contains("cancelling"), "the polls in flight were not cancelled at the grace: \(daemon.log())")
        #expect(daemon.log().contains("stopped"))

        // Marked (a set in Redis) only where the entries went out.
        let delivered = Dictionary(grouping: daemon.entries(), by: \.feed).mapValues(\.count)
        for (feed, _) in fast + slowFeeds {
            let members = Int(try redis.command(["ZCARD", String(decoding: StoreKeys.entries(Int64(feed)), as: UTF8.self)])) ?? -1
            if members > 0 {
                #expect(delivered[feed] == members, "feed \(feed): \(members) marked, \(delivered[feed] ?? 0) delivered")
            }
        }
        #expect(
            try slowFeeds.allSatisfy { try redis.command(["EXISTS", String(decoding: StoreKeys.entries(Int64($0.0)), as: UTF8.self)]) == "0" },
            "a slow feed was marked")
    }
}
