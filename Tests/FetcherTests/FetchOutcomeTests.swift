import Foundation
import Testing
import TestSupport

@testable import Fetcher

/// The fetcher against a real nginx and a quirky server of our own, on loopback.
@Suite("Fetcher outcomes", .serialized, .ownThread)
struct FetchOutcomeTests {
    /// Loopback is what the tests use, so private addresses are allowed unless a test says not.
    static func fetcher(_ options: FetcherOptions = FetcherOptions(refusePrivateAddresses: false)) -> Fetcher {
        Fetcher(options: options)
    }

    @Test("nginx: the second fetch sends the ETag and gets 304, with the validators nginx sends")
    func conditionalGet() async throws {
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...3).utf8)])
        defer { nginx.stop() }
        let fetcher = Self.fetcher()
        let first = await fetcher.fetch(FetchRequest(url: nginx.baseURL + "/feed.xml"))
        guard case .changed(let body) = first.outcome else {
            Issue.record("expected a body, got \(first.outcome)")
            return
        }
        #expect(first.status == 200)
        #expect(body.bytes == Array(FeedFixtures.rss(items: 1...3).utf8))
        #expect(first.validators.etag != nil)
        #expect(first.validators.lastModified != nil)
        let second = await fetcher.fetch(
            FetchRequest(url: nginx.baseURL + "/feed.xml", validators: first.validators, bodyHash: first.bodyHash))
        #expect(second.outcome == .notModified)
        #expect(second.status == 304)
        // nginx weakens the ETag of a gzipped 200 (W/"…") and sends the strong one with a 304.
        #expect(second.validators.etag?.hasSuffix(first.validators.etag?.replacingOccurrences(of: "W/", with: "") ?? "?") == true)
        #expect(second.validators.lastModified == first.validators.lastModified)

        try nginx.write("feed.xml", FeedFixtures.rss(items: 1...4))
        let third = await fetcher.fetch(
            FetchRequest(url: nginx.baseURL + "/feed.xml", validators: first.validators, bodyHash: first.bodyHash))
        #expect(third.status == 200)
        #expect(third.validators.etag != first.validators.etag)
    }

    @Test("a server without validators: the same body again is 'unchanged' (not parsed)")
    func bodyHash() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let first = await fetcher.fetch(FetchRequest(url: server.url("/feed/plain")))
        #expect(first.validators == Validators())
        let hash = try #require(first.bodyHash)
        let second = await fetcher.fetch(FetchRequest(url: server.url("/feed/plain"), bodyHash: hash))
        #expect(second.outcome == .unchanged)
        #expect(second.status == 200)
        let changed = await fetcher.fetch(FetchRequest(url: server.url("/feed/plain?items=3"), bodyHash: hash))
        guard case .changed = changed.outcome else {
            Issue.record("a different body must be 'changed', got \(changed.outcome)")
            return
        }
    }

    @Test("a server that answers 200 with the same ETag: unchanged by the body hash, validators kept")
    func sameETag() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let first = await fetcher.fetch(FetchRequest(url: server.url("/feed/same-etag")))
        #expect(first.validators.etag == "\"v1\"")
        let second = await fetcher.fetch(
            FetchRequest(url: server.url("/feed/same-etag"), validators: first.validators, bodyHash: first.bodyHash))
        #expect(second.outcome == .unchanged)
        #expect(second.validators.etag == "\"v1\"")
        #expect(try server.log().last?.headers["if-none-match"] == "\"v1\"")
    }

    @Test("a weak ETag goes back verbatim and gets 304; a 304 keeps the Last-Modified")
    func weakETag() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let first = await fetcher.fetch(FetchRequest(url: server.url("/feed/weak-etag")))
        #expect(first.validators == Validators(etag: "W/\"abc\"", lastModified: "Mon, 02 Feb 2026 10:00:00 GMT"))
        let second = await fetcher.fetch(FetchRequest(url: server.url("/feed/weak-etag"), validators: first.validators))
        #expect(second.outcome == .notModified)
        #expect(second.validators == first.validators)
        let headers = try #require(try server.log().last?.headers)
        #expect(headers["if-none-match"] == "W/\"abc\"")
        #expect(headers["if-modified-since"] == "Mon, 02 Feb 2026 10:00:00 GMT")
        #expect(headers["user-agent"]?.hasPrefix("HubDiffer/") == true)
    }

    @Test("gzip bodies are asked for and decoded (quirky server and nginx)")
    func gzip() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let plain = await fetcher.fetch(FetchRequest(url: server.url("/feed/plain")))
        let zipped = await fetcher.fetch(FetchRequest(url: server.url("/gzip")))
        guard case .changed(let plainBody) = plain.outcome, case .changed(let zippedBody) = zipped.outcome else {
            Issue.record("expected bodies, got \(plain.outcome) and \(zipped.outcome)")
            return
        }
        #expect(zippedBody.bytes == plainBody.bytes)
        #expect(try server.log().last?.headers["accept-encoding"]?.contains("gzip") == true)

        let feed = FeedFixtures.rss(items: 1...50)
        let nginx = try NginxProcess(files: ["feed.xml": Array(feed.utf8)])
        defer { nginx.stop() }
        let fromNginx = await fetcher.fetch(FetchRequest(url: nginx.baseURL + "/feed.xml"))
        guard case .changed(let body) = fromNginx.outcome else {
            Issue.record("expected a body from nginx, got \(fromNginx.outcome)")
            return
        }
        #expect(body.bytes == Array(feed.utf8))
    }

    @Test("a 50 MB body is aborted at the cap, with or without Content-Length")
    func bodyCap() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        for path in ["/big?mb=50", "/big-chunked?mb=50"] {
            let start = ContinuousClock.now
            let result = await fetcher.fetch(FetchRequest(url: server.url(path)))
            #expect(result.outcome == .failed(.bodyTooLarge(limit: 10 << 20)), "\(path)")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test("a redirect loop is stopped")
    func redirectLoop() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let result = await Self.fetcher().fetch(FetchRequest(url: server.url("/loop")))
        #expect(result.outcome == .failed(.tooManyRedirects(limit: 5)))
    }

    @Test("file, gopher and dict URLs are refused, and so is a redirect to file://")
    func schemes() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        for url in ["file:///etc/passwd", "gopher://127.0.0.1/", "dict://127.0.0.1:2628/d:x"] {
            let result = await fetcher.fetch(FetchRequest(url: url))
            #expect(result.outcome == .failed(.refusedScheme(url)))
        }
        for code in [301, 302] {
            let result = await fetcher.fetch(FetchRequest(url: server.url("/redirect?code=\(code)&to=file:///etc/passwd")))
            guard case .failed(.refusedScheme(let target)) = result.outcome else {
                Issue.record("a redirect to file:// must be refused, got \(result.outcome)")
                continue
            }
            #expect(target.hasPrefix("file:"))
        }
    }

    @Test("private addresses are refused unless allowed: by IP, by a DNS name, and behind a redirect")
    func privateAddresses() async throws {
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...2).utf8)])
        defer { nginx.stop() }
        let refusing = Self.fetcher(FetcherOptions())
        let direct = await refusing.fetch(FetchRequest(url: nginx.baseURL + "/feed.xml"))
        #expect(direct.outcome == .failed(.refusedAddress("127.0.0.1")))
        let byName = await refusing.fetch(FetchRequest(url: "http://localhost:\(nginx.port)/feed.xml"))
        guard case .failed(.refusedAddress) = byName.outcome else {
            Issue.record("localhost must be refused, got \(byName.outcome)")
            return
        }
        // A server on an allowed address redirects to a refused one.
        let server = try QuirkyServer(host: "127.0.0.2")
        defer { server.stop() }
        let allowingOne = Self.fetcher(FetcherOptions(allowedAddresses: ["127.0.0.2"]))
        let redirected = await allowingOne.fetch(
            FetchRequest(url: server.url("/redirect?code=302&to=\(nginx.baseURL)/feed.xml")))
        #expect(redirected.outcome == .failed(.refusedAddress("127.0.0.1")))
        let allowed = await Self.fetcher().fetch(FetchRequest(url: nginx.baseURL + "/feed.xml"))
        #expect(allowed.status == 200)
    }

    @Test("429 and 503 with Retry-After in seconds and as an HTTP date; 410 is gone")
    func throttling() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let seconds = await fetcher.fetch(FetchRequest(url: server.url("/status?code=429&retry-after=120")))
        #expect(seconds.outcome == .throttled(retryAfter: .seconds(120)))
        #expect(seconds.status == 429)
        let date = Self.httpDate(Date().addingTimeInterval(600))
        let dated = await fetcher.fetch(
            FetchRequest(url: server.url("/status?code=503&retry-after=\(date.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")))
        guard case .throttled(let delay?) = dated.outcome else {
            Issue.record("expected a delay from the HTTP date, got \(dated.outcome)")
            return
        }
        #expect(delay > .seconds(590) && delay <= .seconds(600))
        let capped = await fetcher.fetch(FetchRequest(url: server.url("/status?code=429&retry-after=99999999")))
        #expect(capped.outcome == .throttled(retryAfter: .seconds(86_400)))
        let bare = await fetcher.fetch(FetchRequest(url: server.url("/status?code=503")))
        #expect(bare.outcome == .throttled(retryAfter: nil))
        #expect(await fetcher.fetch(FetchRequest(url: server.url("/status?code=410"))).outcome == .gone)
        #expect(await fetcher.fetch(FetchRequest(url: server.url("/status?code=500"))).outcome == .failed(.http(status: 500)))
    }

    @Test("permanent redirects are reported, temporary ones followed silently")
    func redirects() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        for code in [301, 308] {
            let result = await fetcher.fetch(FetchRequest(url: server.url("/redirect?code=\(code)&to=/feed/plain")))
            #expect(result.permanentURL == server.url("/feed/plain"))
            #expect(result.status == 200)
        }
        for code in [302, 307] {
            let result = await fetcher.fetch(FetchRequest(url: server.url("/redirect?code=\(code)&to=/feed/plain")))
            #expect(result.permanentURL == nil)
            #expect(result.finalURL == server.url("/feed/plain"))
        }
    }

    @Test("a server sending a byte a second is cut by the total timeout")
    func slowServer() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher(FetcherOptions(totalTimeout: .seconds(1), refusePrivateAddresses: false))
        let start = ContinuousClock.now
        let result = await fetcher.fetch(FetchRequest(url: server.url("/slow")))
        #expect(result.outcome == .failed(.timeout))
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test("a thousand fetches in flight at once all complete, sharing connections")
    func manyInFlight() async throws {
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...5).utf8)])
        defer { nginx.stop() }
        let fetcher = Self.fetcher()
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<1000 { group.addTask { await fetcher.fetch(FetchRequest(url: nginx.baseURL + "/feed.xml")).status } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 1000)
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    @Test("the per-host limit holds")
    func perHostLimit() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher(FetcherOptions(totalTimeout: .seconds(10), connectionsPerHost: 2, refusePrivateAddresses: false))
        let start = ContinuousClock.now
        // 8 polls of 500 ms, 2 at a time: 2 s in all.
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { await fetcher.fetch(FetchRequest(url: server.url("/delay?ms=500"))).status } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        #expect(ContinuousClock.now - start >= .milliseconds(1900))
        let most = try ChildProcess.run("/usr/bin/curl", ["-s", "--noproxy", "*", server.url("/most-concurrent")])
        #expect(String(decoding: most.output, as: UTF8.self) == "2")
    }

    @Test("waiting for a connection counts against the timeout: a transfer still waiting at its deadline ends as host busy, never sent")
    func hostBusy() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher(
            FetcherOptions(totalTimeout: .milliseconds(2500), connectionsPerHost: 2, refusePrivateAddresses: false))
        // 8 polls, 2 at a time. Two of 4 s take both connections first (20 s to spare); behind
        // them two of 1 s (20 s to spare) wait and are sent at 4 s; four with the 2.5 s of the
        // options cannot even start in time. (No connection comes free near their deadline, so
        // a loaded machine cannot tip one either way.)
        // One fetch first: once libcurl knows the server speaks HTTP/1.1 it opens a second
        // connection at once instead of waiting to see whether the first can be shared.
        #expect(await fetcher.fetch(FetchRequest(url: server.url("/feed/plain"))).status == 200)
        let long = FetchRequest(url: server.url("/delay?ms=4000"), timeout: .seconds(20))
        let results = try await withThrowingTaskGroup(of: FetchResult.self) { group in
            for _ in 0..<2 { group.addTask { await fetcher.fetch(long) } }
            // Both are running on the server before the others queue.
            #expect(try await waitUntil(timeout: .seconds(20)) {
                try ChildProcess.run("/usr/bin/curl", ["-s", "--noproxy", "*", server.url("/most-concurrent")]).output == Data("2".utf8)
            })
            for _ in 0..<2 { group.addTask { await fetcher.fetch(FetchRequest(url: server.url("/delay?ms=1000"), timeout: .seconds(20))) } }
            for _ in 0..<4 { group.addTask { await fetcher.fetch(FetchRequest(url: server.url("/delay?ms=1000"))) } }
            return try await group.reduce(into: [FetchResult]()) { $0.append($1) }
        }
        let busy = results.filter { if case .failed(.hostBusy) = $0.outcome { true } else { false } }
        #expect(results.filter { $0.status == 200 }.count >= 2)
        #expect(busy.count >= 2)
        #expect(busy.allSatisfy { $0.duration >= .milliseconds(2400) && $0.duration < .milliseconds(3600) }, "\(busy.map(\.duration))")
        #expect(busy.allSatisfy { $0.status == 0 })
        let served = try server.log().filter { $0.path.hasPrefix("/delay") }.count
        #expect(served == 8 - busy.count, "a transfer past its deadline was sent")
        #expect("\(FetchFailure.hostBusy(waited: .seconds(3)))".contains("busy for 3 s"))
    }

    @Test("a permanent redirect to a failure is not reported as the feed's new URL")
    func permanentRedirectToFailure() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let result = await Self.fetcher().fetch(FetchRequest(url: server.url("/redirect?code=301&to=/status%3Fcode%3D410")))
        #expect(result.outcome == .gone)
        #expect(result.permanentURL == nil)
    }

    @Test("with a proxy in the environment the address check is left to the proxy, and said so")
    func proxyEnvironment() {
        #expect(Fetcher(environment: ["https_proxy": "http://proxy.internal:3128"]).addressCheckLeftToProxy)
        #expect(!Fetcher(environment: [:]).addressCheckLeftToProxy)
        #expect(!Fetcher(options: FetcherOptions(refusePrivateAddresses: false), environment: ["http_proxy": "http://p:1"]).addressCheckLeftToProxy)
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
