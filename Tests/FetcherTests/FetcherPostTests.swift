import Foundation
import Testing
import TestSupport

@testable import Fetcher

/// `Cache-Control: max-age` on polls, and `Fetcher.post`, against the quirky server.
@Suite("Fetcher max-age and POST", .serialized, .ownThread)
struct FetcherPostTests {
    /// Loopback is what the tests use; no proxy from the environment.
    static func fetcher(refusePrivate: Bool = false) -> Fetcher {
        Fetcher(options: FetcherOptions(refusePrivateAddresses: refusePrivate), environment: [:])
    }

    /// Every POST the quirky server's `/sink` had: status answered and body received.
    static func sinkLog(_ server: QuirkyServer) throws -> [(status: Int, body: String, contentType: String?)] {
        let result = try ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "10", server.url("/sink/log")])
        let posts = try #require(try JSONSerialization.jsonObject(with: result.output) as? [[String: Any]])
        return posts.map { ($0["status"] as? Int ?? 0, $0["body"] as? String ?? "", $0["content_type"] as? String) }
    }

    @Test("Cache-Control parsing: max-age, quoted, the first one, no-cache/no-store win, s-maxage ignored")
    func cacheControlParsing() {
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=60") == .seconds(60))
        #expect(ResponseHeaders.maxAge(cacheControl: "public, MAX-AGE = 300") == .seconds(300))
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=\"90\", s-maxage=10") == .seconds(90))
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=5, max-age=9") == .seconds(5))
        #expect(ResponseHeaders.maxAge(cacheControl: "s-maxage=30") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=60, no-cache") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "no-store, max-age=60") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "no-cache=\"Set-Cookie\", max-age=60") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=-1") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=soon") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=") == nil)
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=0") == .zero)
        #expect(ResponseHeaders.maxAge(cacheControl: "max-age=99999999999999999999999") == .seconds(1 << 31))
    }

    @Test("max-age comes with a 200 and a 304, across several Cache-Control lines; none without")
    func maxAge() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let first = await fetcher.fetch(FetchRequest(url: server.url("/cache?cc=public&cc=max-age%3D120")))
        #expect(first.status == 200)
        #expect(first.maxAge == .seconds(120))
        let second = await fetcher.fetch(FetchRequest(url: server.url("/cache?cc=max-age%3D120"), validators: first.validators))
        #expect(second.outcome == .notModified)
        #expect(second.maxAge == .seconds(120))
        let unchanged = await fetcher.fetch(FetchRequest(url: server.url("/cache?cc=max-age%3D30"), bodyHash: first.bodyHash))
        #expect(unchanged.outcome == .unchanged)
        #expect(unchanged.maxAge == .seconds(30))

        let noCache = await fetcher.fetch(FetchRequest(url: server.url("/cache?cc=max-age%3D120&cc=no-cache")))
        #expect(noCache.status == 200)
        #expect(noCache.maxAge == nil)
        let shared = await fetcher.fetch(FetchRequest(url: server.url("/cache?cc=s-maxage%3D600")))
        #expect(shared.status == 200)
        #expect(shared.maxAge == nil)
        let plain = await fetcher.fetch(FetchRequest(url: server.url("/feed/plain")))
        #expect(plain.status == 200)
        #expect(plain.maxAge == nil)
        // A redirect's own max-age is not the feed's.
        let redirected = await fetcher.fetch(FetchRequest(url: server.url("/redirect?code=302&to=/feed/plain")))
        #expect(redirected.status == 200)
        #expect(redirected.maxAge == nil)
        // Nor is an error's.
        let failed = await fetcher.fetch(FetchRequest(url: server.url("/status?code=500")))
        #expect(failed.maxAge == nil)
    }

    @Test("POST sends the body verbatim with its Content-Type and headers, and reports the status and response start")
    func post() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let body = Array(#"{"entries":[{"feed":1,"title":"caf\u00e9 ☕"}]}"#.utf8)
        let result = await fetcher.post(
            PostRequest(url: server.url("/sink"), body: body, contentType: "application/json", headers: [HTTPHeader("X-Hub", "a b")]))
        #expect(result.outcome == .responded(status: 200))
        #expect(result.status == 200)
        #expect(result.retryAfter == nil)
        #expect(String(decoding: result.responseBody, as: UTF8.self) == #"{"ok":true}"#)
        let posts = try Self.sinkLog(server)
        #expect(posts.count == 1)
        #expect(posts.first?.body == String(decoding: body, as: UTF8.self))
        #expect(posts.first?.contentType == "application/json")
        let headers = try #require(try server.log().last?.headers)
        #expect(headers["x-hub"] == "a b")
        #expect(headers["expect"] == nil)
        #expect(headers["user-agent"]?.hasPrefix("HubDiffer/") == true)

        let empty = await fetcher.post(PostRequest(url: server.url("/sink"), body: [], contentType: "text/plain"))
        #expect(empty.status == 200)
        #expect(try Self.sinkLog(server).last?.body == "")
    }

    @Test("POST: 429 and 503 bring their Retry-After; a 500 none")
    func postRetryAfter() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let throttled = await fetcher.post(
            PostRequest(url: server.url("/sink?fail=1&status=429&retry-after=7"), body: Array("x".utf8), contentType: "text/plain"))
        #expect(throttled.outcome == .responded(status: 429))
        #expect(throttled.retryAfter == .seconds(7))
        #expect(String(decoding: throttled.responseBody, as: UTF8.self) == "failed 1")
        let unavailable = await fetcher.post(
            PostRequest(url: server.url("/sink?fail=1&status=503&retry-after=Thu,%2001%20Jan%201970%2000:00:00%20GMT"), body: [1], contentType: "a/b"))
        #expect(unavailable.status == 503)
        #expect(unavailable.retryAfter == .zero)
        let failed = await fetcher.post(PostRequest(url: server.url("/sink?fail=1&status=500"), body: [1], contentType: "a/b"))
        #expect(failed.status == 500)
        #expect(failed.retryAfter == nil)
    }

    @Test("POST to a private address is refused when the policy refuses them; nothing reaches the server")
    func postRefusedAddress() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let result = await Self.fetcher(refusePrivate: true).post(
            PostRequest(url: server.url("/sink"), body: Array("{}".utf8), contentType: "application/json"))
        #expect(result.outcome == .failed(.refusedAddress("127.0.0.1")))
        #expect(result.status == 0)
        #expect(try Self.sinkLog(server).isEmpty)

        let allowed = await Fetcher(
            options: FetcherOptions(refusePrivateAddresses: true, allowedAddresses: ["127.0.0.1"]), environment: [:]
        ).post(PostRequest(url: server.url("/sink"), body: Array("{}".utf8), contentType: "application/json"))
        #expect(allowed.status == 200)
    }

    @Test("POST follows no redirect, refuses other schemes and bad headers, and cuts a long response at the cap")
    func postLimits() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let redirected = await fetcher.post(
            PostRequest(url: server.url("/redirect?code=307&to=/sink"), body: Array("{}".utf8), contentType: "application/json"))
        #expect(redirected.outcome == .responded(status: 307))
        #expect(try Self.sinkLog(server).isEmpty)

        let ftp = await fetcher.post(PostRequest(url: "ftp://127.0.0.1/x", body: [], contentType: "a/b"))
        #expect(ftp.outcome == .failed(.refusedScheme("ftp://127.0.0.1/x")))
        let injected = await fetcher.post(
            PostRequest(url: server.url("/sink"), body: [], contentType: "a/b", headers: [HTTPHeader("X-A", "1\r\nX-B: 2")]))
        guard case .failed(.network) = injected.outcome else {
            Issue.record("a header with a line break must be refused, got \(injected.outcome)")
            return
        }
        #expect(try Self.sinkLog(server).isEmpty)

        // 1 MiB answers: the status counts; a Content-Length past the cap is not read at all,
        // a chunked body is cut at the cap and only its start kept.
        let big = await fetcher.post(PostRequest(url: server.url("/big?mb=1"), body: Array("{}".utf8), contentType: "application/json"))
        #expect(big.outcome == .responded(status: 200))
        #expect(big.responseBody.isEmpty)
        let chunked = await fetcher.post(
            PostRequest(url: server.url("/big-chunked?mb=1"), body: Array("{}".utf8), contentType: "application/json"))
        #expect(chunked.outcome == .responded(status: 200))
        #expect(chunked.responseBody.count == PostResult.responseBodyPrefix)
        let unreachable = await fetcher.post(
            PostRequest(url: "http://127.0.0.1:\(try Self.closedPort())/sink", body: [], contentType: "a/b", timeout: .seconds(5)))
        guard case .failed(.network) = unreachable.outcome else {
            Issue.record("a closed port must be a network failure, got \(unreachable.outcome)")
            return
        }
    }

    @Test("POSTs and polls share the fetcher's loop: 40 of each at once all complete")
    func postsBesidePolls() async throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let fetcher = Self.fetcher()
        let (posts, polls) = await withTaskGroup(of: (Bool, Int).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let result = await fetcher.post(
                        PostRequest(url: server.url("/sink"), body: Array("{\"n\":\(index)}".utf8), contentType: "application/json"))
                    return (true, result.status)
                }
                group.addTask { (false, await fetcher.fetch(FetchRequest(url: server.url("/feed/plain"))).status) }
            }
            var posts: [Int] = []
            var polls: [Int] = []
            for await (isPost, status) in group {
                if isPost { posts.append(status) } else { polls.append(status) }
            }
            return (posts, polls)
        }
        #expect(posts == Array(repeating: 200, count: 40))
        #expect(polls == Array(repeating: 200, count: 40))
        #expect(Set(try Self.sinkLog(server).map(\.body)) == Set((0..<40).map { "{\"n\":\($0)}" }))
    }

    /// A loopback port nothing listens on.
    static func closedPort() throws -> Int {
        try RedisServerProcess.freePort()
    }
}
