import Foundation
import TestSupport
import Testing

/// `POST /ping` cannot make the daemon hammer a publisher: pings for one feed within
/// `--ping-interval` merge into one poll at the window's end; pings for many feeds each poll.
@Suite("hubdiffer run under a flood of pings", .serialized, .ownThread)
struct PingFloodTests {
    /// No scheduled poll within a test's time (the first is spread over a year).
    static let pingsOnly = ["--interval", "31536000", "--max-interval", "31536000"]

    /// The server's requests for `/feed/plain?feed=N`, by N.
    static func polls(_ server: QuirkyServer) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for entry in try server.log() {
            guard let range = entry.path.range(of: "feed="), let feed = Int(entry.path[range.upperBound...]) else { continue }
            counts[feed, default: 0] += 1
        }
        return counts
    }

    @Test("10,000 pings for one feed within 10 s: two polls of it (at once and at the window's end), the rest coalesced")
    func oneFeedFlooded() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let daemon = try DaemonHarness(feeds: [(0, server.url("/feed/plain?feed=0"))], shards: "0-999 \(redis.url)\n")
        try await daemon.start(Self.pingsOnly + ["--ping-interval", "10"])

        // 100 POSTs of 100 `feed=0` fields each, over one curl's kept-alive connection.
        let body = Array(repeating: "feed=0", count: 100).joined(separator: "&")
        let url = "http://127.0.0.1:\(daemon.controlPort)/ping"
        let started = ContinuousClock.now
        let sent = try ChildProcess.run(
            "/usr/bin/curl", ["-s", "-o", "/dev/null", "--max-time", "30", "--data", body] + Array(repeating: url, count: 100))
        let sending = ContinuousClock.now - started
        #expect(sent.status == 0)
        #expect(sending < .seconds(10), "the pings took \(sending): not one window")

        #expect(try await waitUntil(timeout: .seconds(25), every: .milliseconds(200)) { try Self.polls(server)[0] ?? 0 >= 2 })
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.get("/health").contains("\"in_flight\":0") })
        let polls = try Self.polls(server)[0] ?? 0
        let coalesced = try daemon.metric("hubdiffer_pings_total", "result=\"coalesced\"") ?? 0
        let scheduled = try daemon.metric("hubdiffer_pings_total", "result=\"scheduled\"") ?? 0
        let inFlight = try daemon.metric("hubdiffer_pings_total", "result=\"in_flight\"") ?? 0
        print("ping flood: 10,000 pings in \(sending): \(polls) polls; scheduled \(Int(scheduled)), in_flight \(Int(inFlight)), coalesced \(Int(coalesced))")
        #expect(polls == 2)
        #expect(scheduled + inFlight + coalesced == 10_000)
        #expect(coalesced >= 9_998)
    }

    @Test("pings for 1,000 different feeds: each polled once; a ping for an unknown feed polls nothing")
    func thousandFeeds() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let feeds = (0..<1_000).map { ($0, server.url("/feed/plain?feed=\($0)")) }
        let daemon = try DaemonHarness(feeds: feeds, shards: "0-999 \(redis.url)\n")
        try await daemon.start(Self.pingsOnly)

        #expect(try daemon.ping(0..<1_000).hasPrefix("1000 of 1000 feeds known"))
        #expect(try daemon.ping([5_000]).contains("no such feed"))
        #expect(try await waitUntil(timeout: .seconds(30), every: .milliseconds(200)) { try Self.polls(server).count == 1_000 })
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.get("/health").contains("\"in_flight\":0") })
        let polls = try Self.polls(server)
        #expect(polls.values.allSatisfy { $0 == 1 }, "polled more than once: \(polls.filter { $0.value > 1 }.keys.sorted())")
        #expect(try daemon.metric("hubdiffer_pings_total", "result=\"scheduled\"") == 1_000)
        #expect(try daemon.metric("hubdiffer_pings_total", "result=\"unknown\"") == 1)
    }
}
