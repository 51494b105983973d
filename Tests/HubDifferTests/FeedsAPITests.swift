import Foundation
import Glibc
import TestSupport
import Testing

/// The feeds API against a running daemon and a real feed server: feeds added, changed and
/// removed at run time, durable over `kill -9`, combined with SIGHUP as documented, and every
/// feed's status. At nice 5 (the daemons it starts inherit it), beside the suites that measure
/// a latency.
@Suite("hubdiffer run: feeds changed at run time", .serialized, .ownThread(nice: 5))
struct FeedsAPITests {
    /// No scheduled poll of the file's feeds within a test (the first is spread over a year).
    static let quiet = ["--interval", "31536000", "--max-interval", "31536000", "--ping-interval", "0"]

    /// The form of `PUT /feeds/ID`, the URL percent-encoded.
    static func form(_ url: String, interval: Int? = nil) -> String {
        let encoded = url.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: ":/.-_~?"))) ?? url
        return "url=\(encoded)" + (interval.map { "&interval=\($0)" } ?? "")
    }

    /// Requests the server saw whose path holds `marker`.
    static func polls(_ server: QuirkyServer, _ marker: String) throws -> Int {
        try server.log().count { $0.path.contains(marker) }
    }

    @Test("PUT adds a feed polled within 5 s (its first poll records); DELETE stops its polls; a PUT after 410 revives it")
    func addRemoveRevive() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let daemon = try DaemonHarness(feeds: [(0, server.url("/feed/plain?feed=0"))], shards: "0-999 \(redis.url)\n")
        try await daemon.start(Self.quiet + ["--min-interval", "1"])

        // Added: polled within 5 s, every second after (pinned interval 1 s, --min-interval 1).
        let added = try daemon.request("PUT", "/feeds/7", form: Self.form(server.url("/feed/plain?feed=7"), interval: 1))
        #expect(added.status == 201, "\(added)")
        #expect(added.body.contains("feed 7 added"))
        let start = ContinuousClock.now
        #expect(try await waitUntil(timeout: .seconds(5), every: .milliseconds(50)) { try Self.polls(server, "feed=7") >= 1 })
        print("PUT → first poll: \(ContinuousClock.now - start)")
        // Polled every second, so its status moves on: the counter keeps the first poll's outcome.
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.metric("hubdiffer_polls_total", "outcome=\"first_poll\"") == 1 })
        #expect(daemon.entries().isEmpty, "a first poll records its backlog, it does not send it")
        #expect(try daemon.request("PUT", "/feeds/7", form: Self.form(server.url("/feed/plain?feed=7"), interval: 1)).status == 200)

        // Removed: its polls stop (one in flight may end after the answer).
        #expect(try await waitUntil(timeout: .seconds(10)) { try Self.polls(server, "feed=7") >= 3 })
        let removed = try daemon.request("DELETE", "/feeds/7")
        #expect(removed.status == 200, "\(removed)")
        let afterRemoval = try Self.polls(server, "feed=7")
        #expect(try daemon.request("DELETE", "/feeds/7").status == 404)
        #expect(try daemon.feedStatus(7) == nil)
        let quietUntil = ContinuousClock.now + .seconds(3)
        _ = await waitUntil(timeout: .seconds(3)) { ContinuousClock.now >= quietUntil }
        #expect(try Self.polls(server, "feed=7") <= afterRemoval + 1, "polled after DELETE")

        // Gone after 410, then revived by a PUT of the same URL: polled again.
        let goneURL = server.url("/status?code=410&feed=9")
        #expect(try daemon.request("PUT", "/feeds/9", form: Self.form(goneURL)).status == 201)
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(9)?["state"] as? String == "gone" })
        let listed = try daemon.request("GET", "/feeds?state=gone")
        #expect(listed.body.contains("\"id\":9"), "\(listed)")
        let before = try Self.polls(server, "feed=9")
        let revived = try daemon.request("PUT", "/feeds/9", form: Self.form(goneURL))
        #expect(revived.status == 200 && revived.body.contains("revived"), "\(revived)")
        #expect(
            try await waitUntil(timeout: .seconds(5), every: .milliseconds(50)) { try Self.polls(server, "feed=9") > before },
            "\(daemon.log())")
        #expect(try daemon.metric("hubdiffer_feed_changes_total", "change=\"revived\"") == 1)
    }

    @Test("GET /feeds/ID reports a failing feed's error, backoff and next poll; ?state=failing lists it first")
    func failingFeedStatus() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let daemon = try DaemonHarness(feeds: [(0, server.url("/feed/plain?feed=0"))], shards: "0-999 \(redis.url)\n")
        try await daemon.start(Self.quiet)
        #expect(try daemon.request("PUT", "/feeds/5", form: Self.form(server.url("/status?code=500&feed=5"), interval: 600)).status == 201)
        #expect(try daemon.request("PUT", "/feeds/6", form: Self.form(server.url("/feed/plain?feed=6"), interval: 600)).status == 201)
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(5)?["consecutive_errors"] as? Int == 1 })
        let status = try #require(try daemon.feedStatus(5))
        #expect(status["state"] as? String == "backing_off")
        #expect(status["last_outcome"] as? String == "failed")
        #expect(status["last_outcome_detail"] as? String == "error_http")
        #expect(status["last_error"] as? String == "HTTP 500")
        #expect(status["interval_seconds"] as? Int == 600)
        #expect(status["shard"] as? String == redis.url)
        #expect(status["entries_stored"] as? Int == 0)
        // Backed off: the next poll is one doubled interval away (± jitter), not the interval.
        let nextPoll = try #require((status["next_poll"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        let wait = nextPoll.timeIntervalSinceNow
        #expect(wait > 600 && wait < 1_500, "next poll in \(wait) s")

        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(6)?["last_poll"] is String })
        #expect(try daemon.feedStatus(6)?["state"] as? String == "active")
        #expect(try daemon.feedStatus(6)?["last_error"] is NSNull)
        let failing = try daemon.request("GET", "/feeds?state=failing")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(failing.body.utf8)) as? [String: Any])
        #expect(list["total"] as? Int == 1)
        #expect((list["feeds"] as? [[String: Any]])?.first?["id"] as? Int == 5)
        #expect(try daemon.request("GET", "/feeds?state=nonsense").status == 400)
        #expect(try daemon.request("GET", "/feeds/12345").status == 404)
    }

    @Test("Bad requests are refused with a reason: a bad ID, URL, interval or body")
    func badRequests() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let daemon = try DaemonHarness(feeds: [(0, "http://127.0.0.1:9/feed")], shards: "0-999 \(redis.url)\n")
        try await daemon.start(Self.quiet)
        let cases: [(String, String, String)] = [
            ("/feeds/abc", "url=https://example.com/feed", "feed ID"),
            ("/feeds/-1", "url=https://example.com/feed", "feed ID"),
            ("/feeds/1", "url=ftp://example.com/feed", "http:// or https://"),
            ("/feeds/1", "url=https://example.com/a%20b", "spaces"),
            ("/feeds/1", "url=https://example.com/feed&interval=0", "SECONDS"),
            ("/feeds/1", "url=https://example.com/feed&interval=ten", "SECONDS"),
            ("/feeds/1", "interval=60", "URL"),
            ("/feeds/5000", "url=https://example.com/feed", "no range of the shard map"),
        ]
        for (path, form, reason) in cases {
            let answer = try daemon.request("PUT", path, form: form)
            #expect(answer.status == 400 && answer.body.contains(reason), "\(path) \(form): \(answer)")
        }
        let json = try daemon.request(
            "PUT", "/feeds/3", form: #"{"url": "https://example.com/json", "interval": 120}"#, headers: ["Content-Type: application/json"])
        #expect(json.status == 201, "\(json)")
        #expect(try daemon.feedStatus(3)?["interval_seconds"] as? Int == 120)
        #expect(try daemon.request("PUT", "/feeds/4", form: "{", headers: ["Content-Type: application/json"]).status == 400)
        #expect(try daemon.request("POST", "/feeds/4", form: "url=https://example.com/feed").status == 405)
    }

    @Test("Acknowledged changes survive kill -9; SIGHUP with an edited file combines with them as documented")
    func durableAndCombinedWithReloads() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let url = { (name: String) in "https://feeds.example/\(name)" }
        let daemon = try DaemonHarness(feeds: [(1, url("one")), (2, url("two")), (5, url("five"))], shards: "0-999 \(redis.url)\n")
        try await daemon.start(Self.quiet)

        #expect(try daemon.request("PUT", "/feeds/3", form: "url=\(url("three"))").status == 201)  // not in the file
        #expect(try daemon.request("PUT", "/feeds/2", form: "url=\(url("two-api"))").status == 200)
        #expect(try daemon.request("DELETE", "/feeds/1").status == 200)
        #expect(try daemon.request("PUT", "/feeds/5", form: "url=\(url("five-api"))").status == 200)

        // kill -9 right after the answers: all of them hold after the restart.
        #expect(await daemon.stop(SIGKILL) != nil)
        try await daemon.start(Self.quiet)
        #expect(try daemon.feedStatus(1) == nil)
        #expect(try daemon.feedStatus(2)?["url"] as? String == url("two-api"))
        #expect(try daemon.feedStatus(3)?["url"] as? String == url("three"))
        #expect(try daemon.feedStatus(5)?["url"] as? String == url("five-api"))

        // The file edited afterwards: feed 2's line changed (the file's word is newer: it wins),
        // feed 4 added; lines 1 and 5 untouched (the API's removal and change hold), feed 3 still
        // absent from the file (the API's addition holds).
        try "1 \(url("one"))\n2 \(url("two-file"))\n4 \(url("four"))\n5 \(url("five"))\n".write(
            toFile: daemon.feedsPath, atomically: true, encoding: .utf8)
        let reloads = daemon.log().components(separatedBy: "reloaded the feeds").count
        daemon.signal(SIGHUP)
        #expect(await waitUntil(timeout: .seconds(10)) { daemon.log().components(separatedBy: "reloaded the feeds").count > reloads })
        func expectCombined() throws {
            #expect(try daemon.feedStatus(1) == nil)
            #expect(try daemon.feedStatus(2)?["url"] as? String == url("two-file"))
            #expect(try daemon.feedStatus(3)?["url"] as? String == url("three"))
            #expect(try daemon.feedStatus(4)?["url"] as? String == url("four"))
            #expect(try daemon.feedStatus(5)?["url"] as? String == url("five-api"))
        }
        try expectCombined()
        #expect(daemon.log().contains("the feeds file changed the lines of 1 feeds changed at run time before"))

        // A change made after the edit wins over it again, and all of it holds over a restart.
        #expect(try daemon.request("PUT", "/feeds/2", form: "url=\(url("two-api-again"))").status == 200)
        #expect(await daemon.stop(SIGKILL) != nil)
        try await daemon.start(Self.quiet)
        #expect(try daemon.feedStatus(2)?["url"] as? String == url("two-api-again"))
        #expect(try daemon.request("PUT", "/feeds/2", form: "url=\(url("two-file"))").status == 200)
        try expectCombined()
        let health = try daemon.get("/health")
        #expect(health.contains("\"feeds\":4"), "\(health)")
    }

    @Test("A control token guards PUT and DELETE; a published endpoint without one refuses changes")
    func token() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let daemon = try DaemonHarness(feeds: [(0, "https://feeds.example/zero")], shards: "0-999 \(redis.url)\n")
        let tokenFile = daemon.directory + "/token"
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try await daemon.start(Self.quiet + ["--control-token-file", tokenFile])
        let form = "url=https://feeds.example/one"
        let missing = try daemon.request("PUT", "/feeds/1", form: form)
        #expect(missing.status == 401 && missing.body.contains("Bearer"), "\(missing)")
        #expect(try daemon.request("PUT", "/feeds/1", form: form, headers: ["Authorization: Bearer wrong"]).status == 401)
        #expect(try daemon.request("PUT", "/feeds/1", form: form, headers: ["Authorization: Bearer s3cret-token"]).status == 201)
        #expect(try daemon.request("DELETE", "/feeds/1").status == 401)
        #expect(try daemon.request("DELETE", "/feeds/1", headers: ["Authorization: Bearer s3cret-token"]).status == 200)
        #expect(try daemon.request("GET", "/feeds/0").status == 200, "reading needs no token")
        _ = await daemon.stop(SIGTERM)

        // No token, on loopback: changes pass, unless a proxy forwarded the request.
        try await daemon.start(Self.quiet)
        #expect(try daemon.request("PUT", "/feeds/1", form: form).status == 201)
        let forwarded = try daemon.request("PUT", "/feeds/2", form: form, headers: ["X-Forwarded-For: 203.0.113.9"])
        #expect(forwarded.status == 403, "\(forwarded)")
        _ = await daemon.stop(SIGTERM)

        // Published behind a reverse proxy (a control-host name) and no token: changes refused.
        try await daemon.start(Self.quiet + ["--control-host", "hub.example"])
        let published = try daemon.request("PUT", "/feeds/1", form: form)
        #expect(published.status == 403 && published.body.contains("--control-token-file"), "\(published)")
    }

    @Test("hubdiffer feeds add, show, failing and remove print and exit as documented")
    func commands() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let daemon = try DaemonHarness(feeds: [(0, server.url("/feed/plain?feed=0"))], shards: "0-999 \(redis.url)\n")
        let tokenFile = daemon.directory + "/token"
        try "t0ken\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try await daemon.start(Self.quiet + ["--control-token-file", tokenFile])
        let control = ["--control", "127.0.0.1:\(daemon.controlPort)"]
        func feeds(_ arguments: [String], token: Bool = true) throws -> ParseCommandTests.Run {
            try ParseCommandTests.run(["feeds"] + arguments + control + (token ? ["--token-file", tokenFile] : []))
        }

        let added = try feeds(["add", "42", server.url("/feed/plain?feed=42"), "--interval", "600"])
        #expect(added.status == 0 && added.stdout == "feed 42 added: first poll within a few seconds\n", "\(added)")
        #expect(try feeds(["add", "42", server.url("/feed/plain?feed=42"), "--interval", "600"]).stdout == "feed 42 unchanged\n")
        let noToken = try feeds(["add", "43", server.url("/feed/plain?feed=43")], token: false)
        #expect(noToken.status == 77, "\(noToken)")
        #expect(try feeds(["add", "44", "ftp://example.com/feed"]).status == 65)

        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(42)?["last_outcome"] as? String == "first_poll" })
        let shown = try feeds(["show", "42"], token: false)
        #expect(shown.status == 0, "\(shown)")
        for expected in ["feed 42", "interval:", "10 min", "first_poll", redis.url] {
            #expect(shown.stdout.contains(expected), "\(expected) not in:\n\(shown.stdout)")
        }
        let json = try feeds(["show", "42", "--json"], token: false)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["id"] as? Int == 42)

        #expect(try feeds(["add", "45", server.url("/status?code=500&feed=45"), "--interval", "600"]).status == 0)
        #expect(try await waitUntil(timeout: .seconds(10)) { try daemon.feedStatus(45)?["consecutive_errors"] as? Int == 1 })
        let failing = try feeds(["failing"], token: false)
        #expect(failing.status == 0, "\(failing)")
        #expect(failing.stdout.contains("45") && failing.stdout.contains("error_http") && failing.stdout.contains("1 of 1 failing feed"), "\(failing.stdout)")
        let detail = try feeds(["show", "45"], token: false)
        #expect(detail.stdout.contains("backing_off") && detail.stdout.contains("HTTP 500"), "\(detail.stdout)")

        #expect(try feeds(["remove", "42"]).status == 0)
        let again = try feeds(["remove", "42"])
        #expect(again.status == 1 && again.stderr.contains("does not know it"), "\(again)")
        #expect(try feeds(["show", "42"], token: false).status == 1)
        _ = await daemon.stop(SIGTERM)
        #expect(try feeds(["show", "45"], token: false).status == 69)
    }
}
