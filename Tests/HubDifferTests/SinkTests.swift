import Foundation
import Logging
import Metrics
import Synchronization
import Testing
import TestSupport

@testable import Delivery

/// The daemon's network sinks against real servers: the quirky HTTP server (which records
/// POST bodies and fails the first N on request) and private redis-servers.
@Suite("Entry sinks", .serialized, .ownThread)
struct SinkTests {
    // MARK: - Helpers

    /// One entry of the schema (fields trimmed to what the tests read).
    static func entry(feed: Int64, _ index: Int) -> String {
        #"{"feed":\#(feed),"key":"k\#(feed)-\#(index)","id":"f\#(feed)-e\#(index)","title":"caf\u00e9 \#(index)"}"#
    }

    static func batch(feed: Int64, _ range: ClosedRange<Int>) -> SinkBatch {
        SinkBatch(feed: feed, entries: range.map { Array(entry(feed: feed, $0).utf8) })
    }

    /// Every POST the quirky server's `/sink` had, oldest first.
    static func posts(_ server: QuirkyServer) throws -> [(status: Int, entries: [[String: Any]], time: Double, contentType: String?)] {
        let result = try ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "10", server.url("/sink/log")])
        let log = try #require(try JSONSerialization.jsonObject(with: result.output) as? [[String: Any]])
        return try log.map { post in
            let body = try #require(post["body"] as? String)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let entries = try #require(object["entries"] as? [[String: Any]])
            return (post["status"] as? Int ?? 0, entries, post["time"] as? Double ?? 0, post["content_type"] as? String)
        }
    }

    /// The ids the accepted (2xx) POSTs carried, per feed, in the order they arrived.
    static func acceptedIDs(_ server: QuirkyServer) throws -> [Int64: [String]] {
        var ids: [Int64: [String]] = [:]
        for post in try posts(server) where (200..<300).contains(post.status) {
            for entry in post.entries {
                ids[(entry["feed"] as? NSNumber)?.int64Value ?? -1, default: []].append(entry["id"] as? String ?? "?")
            }
        }
        return ids
    }

    static func ids(feed: Int64, _ range: ClosedRange<Int>) -> [String] {
        range.map { "f\(feed)-e\($0)" }
    }

    // MARK: - HTTP

    @Test("HTTP: concurrent delivers of three feeds merge into few POSTs; every entry arrives once, in order per feed")
    func httpBatching() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let metrics = SinkTestMetrics()
        let sink = HTTPSink(url: server.url("/sink"), metrics: metrics)
        let answers = await withTaskGroup(of: Bool.self) { group in
            for feed: Int64 in 1...3 {
                group.addTask {
                    // A feed's batches go one after another, as its polls do.
                    var all = true
                    for round in 0..<4 { all = await sink.deliver(Self.batch(feed: feed, round * 5 + 1...round * 5 + 5)) && all }
                    return all
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == [true, true, true])
        let posts = try Self.posts(server)
        #expect(posts.allSatisfy { $0.status == 200 && $0.contentType == "application/json" })
        #expect(posts.count < 12, "12 delivers should share POSTs, got \(posts.count)")
        let ids = try Self.acceptedIDs(server)
        for feed: Int64 in 1...3 { #expect(ids[feed] == Self.ids(feed: feed, 1...20)) }
        // The entry objects go through unchanged.
        let first = try #require(posts.first?.entries.first)
        #expect((first["title"] as? String)?.hasPrefix("café ") == true)
        #expect(metrics.value("hubdiffer_sink_entries_total", ["sink": "http"]) == 60)
        #expect(metrics.value("hubdiffer_sink_batches_total", ["sink": "http", "outcome": "delivered"]) == Int64(posts.count))
    }

    @Test("HTTPS: the sink made for the daemon trusts the daemon's --ca-file (a private CA)")
    func httpsSinkTrustsCAFile() async throws {
        let certificates = try TestCertificates()
        let nginx = try NginxProcess(tls: NginxTLS(certificates.server))
        defer { nginx.stop() }
        let sink = try SinkFactory.make(nginx.url("/sink"), caFile: certificates.caFile)
        #expect(await sink.deliver(Self.batch(feed: 1, 1...3)))
        await sink.flush(deadline: .now + .seconds(5))
        let log = nginx.accessLog(atLeast: 1)
        #expect(log.contains { $0.uri == "/sink" && $0.status == 204 }, "\(log)")
    }

    @Test("HTTP: a POST carries at most 500 entries of whole batches; a larger batch goes alone")
    func httpSizeCap() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let sink = HTTPSink(url: server.url("/sink"))
        let answers = await withTaskGroup(of: Bool.self) { group in
            for feed: Int64 in 1...5 { group.addTask { await sink.deliver(Self.batch(feed: feed, 1...200)) } }
            group.addTask { await sink.deliver(Self.batch(feed: 6, 1...700)) }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: true, count: 6))
        let posts = try Self.posts(server)
        for post in posts {
            let feeds = Set(post.entries.map { ($0["feed"] as? NSNumber)?.int64Value ?? -1 })
            #expect(post.entries.count <= 500 || feeds == [6], "a POST of \(post.entries.count) entries")
        }
        #expect(posts.map(\.entries.count).reduce(0, +) == 1700)
        let ids = try Self.acceptedIDs(server)
        for feed: Int64 in 1...5 { #expect(ids[feed] == Self.ids(feed: feed, 1...200)) }
        #expect(ids[6] == Self.ids(feed: 6, 1...700))
    }

    @Test("HTTP: 500s are retried with backoff until a 2xx; the entries are accepted exactly once")
    func httpRetries() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let metrics = SinkTestMetrics()
        let log = LogRecord()
        let sink = HTTPSink(url: server.url("/sink?fail=2&status=500"), logger: log.logger(), metrics: metrics)
        let started = ContinuousClock.now
        #expect(await sink.deliver(Self.batch(feed: 9, 1...3)))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(1400), "0.5 s then 1 s of backoff, got \(elapsed)")
        let posts = try Self.posts(server)
        #expect(posts.map(\.status) == [500, 500, 200])
        #expect(try Self.acceptedIDs(server) == [9: Self.ids(feed: 9, 1...3)])
        #expect(metrics.value("hubdiffer_sink_retries_total", ["sink": "http"]) == 2)
        #expect(log.messages(at: .warning).count == 2)
        #expect(log.messages(at: .warning).first?.contains("HTTP 500") == true)
        #expect(log.messages(at: .info).contains { $0.contains("accepted again") })
    }

    @Test("HTTP: a cancelled deliver is answered false at once; a batch no send took yet is never sent, one under way may be")
    func httpCancelledDeliver() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        // Three 500s: the first send is retried for 0.5 + 1 + 2 s while the others wait.
        let sink = HTTPSink(url: server.url("/sink?fail=3&status=500"), logger: LogRecord().logger(), metrics: SinkTestMetrics())
        let first = Task { await sink.deliver(Self.batch(feed: 1, 1...2)) }
        // Wait (bounded) for the first POST, so that feed 2's batch waits behind the send under way.
        let deadline = ContinuousClock.now + .seconds(10)
        while try Self.posts(server).isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let second = Task { await sink.deliver(Self.batch(feed: 2, 1...2)) }
        try await Task.sleep(for: .milliseconds(100))  // lets it reach the batcher: cancelling sooner proves less
        let cancelledAt = ContinuousClock.now
        second.cancel()
        #expect(await second.value == false)
        // Well before the send under way ends (its retries take 3.5 s); not tighter: in a full
        // run the cooperative pool that resumes this test can lag by half a second.
        #expect(ContinuousClock.now - cancelledAt < .seconds(2), "the cancelled deliver was not answered at once")
        #expect(await first.value)
        // The batcher sends nothing more once the first is accepted: feed 2's batch was dropped.
        // Proving an absence takes time: three batching windows (200 ms each) for a send to show.
        try await Task.sleep(for: .milliseconds(600))
        #expect(try Self.acceptedIDs(server) == [1: Self.ids(feed: 1, 1...2)])
        #expect(try Self.posts(server).allSatisfy { $0.entries.allSatisfy { ($0["feed"] as? NSNumber)?.int64Value == 1 } })
    }

    @Test("HTTP: a 429 with Retry-After waits as long as asked, then delivers")
    func httpRetryAfter() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let sink = HTTPSink(url: server.url("/sink?fail=1&status=429&retry-after=2"))
        #expect(await sink.deliver(Self.batch(feed: 4, 1...2)))
        let posts = try Self.posts(server)
        #expect(posts.map(\.status) == [429, 200])
        if posts.count == 2 {
            let gap = posts[1].time - posts[0].time
            #expect(gap >= 1.9, "Retry-After: 2 must be honoured (the backoff alone is 0.5 s), waited \(gap) s")
        }
        #expect(try Self.acceptedIDs(server) == [4: Self.ids(feed: 4, 1...2)])
    }

    @Test("HTTP: a 400 is permanent: false at once, one error line with the status and the response start")
    func httpRejected() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let log = LogRecord()
        let metrics = SinkTestMetrics()
        let sink = HTTPSink(url: server.url("/sink?fail=1&status=400&body=entry%20lacks%20a%20key"), logger: log.logger(), metrics: metrics)
        let started = ContinuousClock.now
        #expect(await sink.deliver(Self.batch(feed: 5, 1...2)) == false)
        // At once: a retried failure would never answer false (it retries until a 2xx); the
        // bound is loose for the parallel suite on 2 cores (2.2 s was seen).
        #expect(ContinuousClock.now - started < .seconds(5))
        let errors = log.messages(at: .error)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("HTTP 400") == true)
        #expect(errors.first?.contains("entry lacks a key") == true)
        #expect(metrics.value("hubdiffer_sink_batches_total", ["sink": "http", "outcome": "rejected"]) == 1)
        // The next poll offers them again, and this time they go through.
        #expect(await sink.deliver(Self.batch(feed: 5, 1...2)))
        #expect(try Self.posts(server).map(\.status) == [400, 200])
        #expect(try Self.acceptedIDs(server) == [5: Self.ids(feed: 5, 1...2)])
    }

    @Test("HTTP: flush gives up at its deadline (false) while the server keeps failing; later delivers get false at once")
    func httpFlushDeadline() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let log = LogRecord()
        let metrics = SinkTestMetrics()
        let sink = HTTPSink(url: server.url("/sink?fail=1000&status=503"), logger: log.logger(), metrics: metrics)
        let waiting = Task { await sink.deliver(Self.batch(feed: 7, 1...3)) }
        // The first POST and a retry have failed.
        #expect(try await waitUntil(timeout: .seconds(30), every: .milliseconds(50)) { try Self.posts(server).count >= 2 })
        let started = ContinuousClock.now
        await sink.flush(deadline: .now + .milliseconds(500))
        let flushed = ContinuousClock.now - started
        #expect(flushed >= .milliseconds(450) && flushed < .seconds(3), "\(flushed)")
        #expect(await waiting.value == false)
        #expect(await sink.deliver(Self.batch(feed: 7, 4...4)) == false)
        #expect(try Self.posts(server).allSatisfy { $0.status == 503 })
        #expect(metrics.value("hubdiffer_sink_batches_total", ["sink": "http", "outcome": "abandoned"]) == 1)
        #expect((metrics.value("hubdiffer_sink_retries_total", ["sink": "http"]) ?? 0) >= 1)
        #expect(log.messages(at: .error).contains { $0.contains("3 entries not accepted by the shutdown deadline") })
    }

    @Test("HTTP: flush sends what is held at once (no 200 ms window) and returns when it is accepted")
    func httpFlushSends() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let sink = HTTPSink(
            url: server.url("/sink"), limits: SinkBatcher.Limits(maxEntries: 500, window: .seconds(30)))
        let waiting = Task { await sink.deliver(Self.batch(feed: 8, 1...3)) }
        // The sink holds the batch (for its 30 s window).
        #expect(await waitUntil(timeout: .seconds(30)) { await sink.heldEntries == 3 })
        let started = ContinuousClock.now
        await sink.flush(deadline: .now + .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await waiting.value)
        #expect(try Self.acceptedIDs(server) == [8: Self.ids(feed: 8, 1...3)])
    }

    // MARK: - Redis

    @Test("Redis: concurrent delivers XADD every entry once, in order per feed, with feed and entry fields")
    func redisStream() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let metrics = SinkTestMetrics()
        let sink = try #require(try SinkFactory.make("redis://127.0.0.1:\(redis.port)/hub:entries") as? RedisStreamSink)
        let sinkWithMetrics = RedisStreamSink(target: sink.target, metrics: metrics)
        let answers = await withTaskGroup(of: Bool.self) { group in
            for feed: Int64 in 1...4 {
                group.addTask {
                    var all = true
                    for round in 0..<3 { all = await sinkWithMetrics.deliver(Self.batch(feed: feed, round * 10 + 1...round * 10 + 10)) && all }
                    return all
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == [true, true, true, true])
        #expect(try redis.command(["XLEN", "hub:entries"]) == "120")
        let stream = try Self.streamEntries(redis, key: "hub:entries")
        #expect(stream.count == 120)
        for feed: Int64 in 1...4 {
            let entries = stream.filter { $0.feed == String(feed) }
            #expect(entries.map(\.entry) == (1...30).map { Self.entry(feed: feed, $0) })
        }
        #expect(metrics.value("hubdiffer_sink_entries_total", ["sink": "redis"]) == 120)
        #expect((metrics.value("hubdiffer_sink_batches_total", ["sink": "redis", "outcome": "delivered"]) ?? 0) < 12)
    }

    @Test("Redis: with the server down a deliver waits; once it is back the entries go in once")
    func redisRestart() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let log = LogRecord()
        let sink = RedisStreamSink(
            target: try RedisStreamSink.parse("redis://127.0.0.1:\(redis.port)/s"), connectTimeout: .milliseconds(500),
            commandTimeout: .seconds(2), logger: log.logger())
        #expect(await sink.deliver(Self.batch(feed: 1, 1...5)))
        #expect(try redis.command(["XLEN", "s"]) == "5")

        redis.kill()  // no persistence: the restarted server starts empty
        let answered = Mutex<Bool?>(nil)
        let waiting = Task {
            let accepted = await sink.deliver(Self.batch(feed: 1, 6...10))
            answered.withLock { $0 = accepted }
            return accepted
        }
        // The sink has tried and found Redis down; then, deliberately, time passes (what is
        // checked is that nothing happens: the deliver keeps waiting while Redis is down).
        #expect(await waitUntil(timeout: .seconds(30)) { log.messages(at: .warning).contains { $0.contains("Redis") } })
        try await Task.sleep(for: .milliseconds(1500))
        #expect(answered.withLock { $0 } == nil, "the deliver must wait while Redis is down")
        try redis.start()
        #expect(await waiting.value)
        let stream = try Self.streamEntries(redis, key: "s")
        #expect(stream.map(\.entry) == (6...10).map { Self.entry(feed: 1, $0) })
        #expect(log.messages(at: .warning).contains { $0.contains("Redis") })
        #expect(await sink.deliver(Self.batch(feed: 1, 11...12)))
        #expect(try redis.command(["XLEN", "s"]) == "7")
    }

    @Test("Redis: a key that is not a stream is refused for good: false at once, one error line")
    func redisWrongType() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        try redis.command(["SET", "notastream", "x"])
        let log = LogRecord()
        let sink = RedisStreamSink(target: try RedisStreamSink.parse("redis://127.0.0.1:\(redis.port)/notastream"), logger: log.logger())
        let started = ContinuousClock.now
        #expect(await sink.deliver(Self.batch(feed: 2, 1...3)) == false)
        #expect(ContinuousClock.now - started < .milliseconds(1500))
        #expect(log.messages(at: .error).count == 1)
        #expect(log.messages(at: .error).first?.contains("WRONGTYPE") == true)
        #expect(try redis.command(["GET", "notastream"]) == "x")
    }

    @Test("Redis: maxlen trims the stream (MAXLEN ~ N); maxlen=0 does not trim")
    func redisMaxLength() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let trimmed = RedisStreamSink(target: try RedisStreamSink.parse("redis://127.0.0.1:\(redis.port)/t?maxlen=10"))
        let untrimmed = RedisStreamSink(target: try RedisStreamSink.parse("redis://127.0.0.1:\(redis.port)/u?maxlen=0"))
        for round in 0..<10 {
            #expect(await trimmed.deliver(Self.batch(feed: 3, round * 100 + 1...round * 100 + 100)))
            #expect(await untrimmed.deliver(Self.batch(feed: 3, round * 100 + 1...round * 100 + 100)))
        }
        // Approximate trimming removes whole nodes (100 entries by default): well under 1,000.
        let length = Int(try redis.command(["XLEN", "t"])) ?? -1
        #expect(length >= 10 && length < 1000, "XLEN \(length)")
        #expect(try redis.command(["XLEN", "u"]) == "1000")
    }

    // MARK: - URLs

    @Test("sink URLs: what each kind accepts, and errors that say what to write instead")
    func sinkURLs() throws {
        let target = try RedisStreamSink.parse("redis://:p%40ss@127.0.0.1:6380/hub%2Fentries?maxlen=5&db=2")
        #expect(target.endpoint.host == "127.0.0.1")
        #expect(target.endpoint.port == 6380)
        #expect(target.endpoint.password == "p@ss")
        #expect(target.endpoint.database == 2)
        #expect(target.key == "hub/entries")
        #expect(target.maxLength == 5)
        let plain = try RedisStreamSink.parse("redis://[::1]/entries")
        #expect(plain.endpoint.host == "::1")
        #expect(plain.endpoint.port == 6379)
        #expect(plain.maxLength == 1_000_000)
        #expect(RedisStreamSink(target: target).description == "redis://:***@127.0.0.1:6380/hub/entries?db=2")

        let refusals: [(url: String, says: String)] = [
            ("redis://127.0.0.1:6379/0", "?db=0"),
            ("redis://127.0.0.1:6379", "stream key is missing"),
            ("redis://127.0.0.1:6379/", "stream key is missing"),
            ("redis://user:secret@127.0.0.1/k", "only a password"),
            ("redis://127.0.0.1:99999/k", "not 1–65535"),
            ("redis://127.0.0.1/k?maxlen=lots", "whole number"),
            ("redis://127.0.0.1/k?count=1", "unknown parameter"),
            ("redis://::1/k", "brackets"),
            ("rediss://127.0.0.1/k", "TLS"),
            ("ftp://example.com/feed", "http(s)://"),
            ("http:///sink", "host is missing"),
            ("http://example.com/a b", "percent-encoded"),
            ("http://example.com/sink#x", "fragment"),
        ]
        for (url, says) in refusals {
            do throws(SinkURLError) {
                _ = try SinkFactory.make(url)
                Issue.record("\(url) should be refused")
            } catch {
                #expect(error.description.contains(says), "\(url): \(error.description)")
                #expect(error.description.contains("write") || error.description.contains("use"), "\(url): \(error.description)")
                #expect(!error.description.contains("secret"))
            }
        }
        #expect(try SinkFactory.make("https://hub.example/ingest") is HTTPSink)
        #expect(try SinkFactory.make("http://u:secret@127.0.0.1:8080/in").description == "http://u:***@127.0.0.1:8080/in")
        #expect(try SinkFactory.make("redis://127.0.0.1/entries") is RedisStreamSink)
        #expect(try SinkFactory.make("stdout") is StdoutSink)
    }

    /// `XRANGE key - +` read back through redis-cli (raw output: id, then field/value pairs).
    static func streamEntries(_ redis: RedisServerProcess, key: String) throws -> [(feed: String, entry: String)] {
        let raw = try ChildProcess.run(
            "/usr/bin/redis-cli", ["-h", "127.0.0.1", "-p", String(redis.port), "--raw", "XRANGE", key, "-", "+"])
        let lines = String(decoding: raw.output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var entries: [(feed: String, entry: String)] = []
        var index = 0
        while index + 4 < lines.count {
            // id, "feed", FEED, "entry", JSON
            #expect(lines[index + 1] == "feed" && lines[index + 3] == "entry", "unexpected XRANGE layout at line \(index)")
            entries.append((lines[index + 2], lines[index + 4]))
            index += 5
        }
        return entries
    }
}

// MARK: - Recording logs and metrics

/// A metrics backend that only sums counters, by label and dimensions.
final class SinkTestMetrics: MetricsFactory {
    private let counters = Mutex<[String: Int64]>([:])

    static func key(_ label: String, _ dimensions: [String: String]) -> String {
        label + "{" + dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
    }

    /// The counter's total; nil when it was never made.
    func value(_ label: String, _ dimensions: [String: String]) -> Int64? {
        counters.withLock { $0[Self.key(label, dimensions)] }
    }

    func add(_ key: String, _ amount: Int64) {
        counters.withLock { $0[key, default: 0] += amount }
    }

    final class CountingHandler: CounterHandler {
        let key: String
        let metrics: SinkTestMetrics
        init(key: String, metrics: SinkTestMetrics) {
            self.key = key
            self.metrics = metrics
        }
        func increment(by amount: Int64) { metrics.add(key, amount) }
        func reset() {}
    }

    final class Ignored: RecorderHandler, TimerHandler {
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        let key = Self.key(label, Dictionary(dimensions, uniquingKeysWith: { $1 }))
        add(key, 0)
        return CountingHandler(key: key, metrics: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler { Ignored() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler { Ignored() }
    func destroyCounter(_ handler: CounterHandler) {}
    func destroyRecorder(_ handler: RecorderHandler) {}
    func destroyTimer(_ handler: TimerHandler) {}
}
