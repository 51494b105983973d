import Foundation
import Testing
import TestSupport

/// The test servers themselves, checked with the curl CLI as the client.
@Suite("TestSupport", .ownThread)
struct TestSupportTests {
    /// One curl response: status, headers (names lower-cased) and body.
    struct Response {
        var status = 0
        var headers: [String: String] = [:]
        var body = ""
    }

    /// Runs curl on `url` with `options` (never following redirects, no proxy).
    static func curl(_ url: String, _ options: [String] = []) throws -> Response {
        let directory = FileManager.default.temporaryDirectory
        let headerFile = directory.appendingPathComponent("curl-headers-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        let output = try run(["-s", "--noproxy", "*", "--max-time", "10", "-D", headerFile] + options + [url])
        var response = Response(body: output)
        let text = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        for line in text.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") {
                response.status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                response.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return response
    }

    /// Runs curl with `arguments` and returns its standard output.
    static func run(_ arguments: [String]) throws -> String {
        String(decoding: try ChildProcess.run("/usr/bin/curl", arguments).output, as: UTF8.self)
    }

    static let rss = """
        <?xml version="1.0"?><rss version="2.0"><channel><title>t</title>\
        <item><guid>x1</guid></item></channel></rss>
        """

    // MARK: nginx

    @Test("nginx serves a written file with a strong ETag and answers 304 to it")
    func nginxConditionalGet() throws {
        let nginx = try NginxProcess()
        defer { nginx.stop() }
        try nginx.write("feeds/a.xml", Self.rss)
        let first = try Self.curl(nginx.baseURL + "/feeds/a.xml")
        #expect(first.status == 200)
        #expect(first.body == Self.rss)
        #expect(first.headers["content-type"] == "application/rss+xml")
        let etag = try #require(first.headers["etag"])
        #expect(etag.hasPrefix("\""))
        let second = try Self.curl(nginx.baseURL + "/feeds/a.xml", ["-H", "If-None-Match: \(etag)"])
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
    }

    @Test("rewriting a file within the same second changes nginx's ETag")
    func nginxRewriteChangesETag() throws {
        let nginx = try NginxProcess(files: ["a.xml": Array(Self.rss.utf8)])
        defer { nginx.stop() }
        let before = try #require(try Self.curl(nginx.baseURL + "/a.xml").headers["etag"])
        try nginx.write("a.xml", Self.rss.replacingOccurrences(of: "x1", with: "x2"))  // same size
        let after = try Self.curl(nginx.baseURL + "/a.xml")
        #expect(after.body.contains("x2"))
        #expect(after.headers["etag"] != nil)
        #expect(after.headers["etag"] != before)
        let stale = try Self.curl(nginx.baseURL + "/a.xml", ["-H", "If-None-Match: \(before)"])
        #expect(stale.status == 200)
    }

    @Test("nginx gzips feeds when asked, with a weak ETag")
    func nginxGzip() throws {
        let nginx = try NginxProcess(files: ["a.xml": Array(Self.rss.utf8)], workers: 2)
        defer { nginx.stop() }
        let compressed = try Self.curl(nginx.baseURL + "/a.xml", ["--compressed"])
        #expect(compressed.status == 200)
        #expect(compressed.headers["content-encoding"] == "gzip")
        #expect(compressed.headers["etag"]?.hasPrefix("W/\"") == true)
        #expect(compressed.body == Self.rss)
        let plain = try Self.curl(nginx.baseURL + "/a.xml")
        #expect(plain.headers["content-encoding"] == nil)
    }

    // MARK: quirky server

    @Test("the quirky server answers W/\"abc\" with 304 and anything else with 200")
    func quirkyWeakETag() throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let matched = try Self.curl(server.url("/feed/weak-etag"), ["-H", "If-None-Match: W/\"abc\""])
        #expect(matched.status == 304)
        #expect(matched.headers["etag"] == "W/\"abc\"")
        #expect(matched.body.isEmpty)
        let unmatched = try Self.curl(server.url("/feed/weak-etag"), ["-H", "If-None-Match: \"abc\""])
        #expect(unmatched.status == 200)
        #expect(unmatched.headers["last-modified"] == "Mon, 02 Feb 2026 10:00:00 GMT")
        #expect(unmatched.body.contains("<guid isPermaLink=\"false\">a2</guid>"))
    }

    @Test("the quirky server redirects where it is told, and to itself")
    func quirkyRedirects() throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let redirect = try Self.curl(server.url("/redirect?code=301&to=file%3A%2F%2F%2Fetc%2Fpasswd"))
        #expect(redirect.status == 301)
        #expect(redirect.headers["location"] == "file:///etc/passwd")
        #expect(redirect.headers["content-length"] == "0")
        let loop = try Self.curl(server.url("/loop"))
        #expect(loop.status == 302)
        #expect(loop.headers["location"] == "/loop")
    }

    @Test("the quirky server sends the status and Retry-After asked for")
    func quirkyStatus() throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let response = try Self.curl(server.url("/status?code=429&retry-after=120"))
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "120")
        let dated = try Self.curl(server.url("/status?code=503&retry-after=Wed%2C%2021%20Oct%202015%2007%3A28%3A00%20GMT"))
        #expect(dated.status == 503)
        #expect(dated.headers["retry-after"] == "Wed, 21 Oct 2015 07:28:00 GMT")
    }

    @Test("the quirky server logs the headers of every request")
    func quirkyLog() throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        _ = try Self.curl(server.url("/feed/same-etag"), ["-H", "If-None-Match: \"v1\""])
        let same = try Self.curl(server.url("/feed/same-etag"), ["-H", "If-None-Match: \"v1\""])
        #expect(same.status == 200)
        #expect(same.headers["etag"] == "\"v1\"")
        let latest = try Self.curl(server.url("/headers"))
        #expect(latest.body.contains("\"if-none-match\": \"\\\"v1\\\"\""))
        let log = try server.log()
        #expect(log.count == 2)
        #expect(log.allSatisfy { $0.path == "/feed/same-etag" && $0.headers["if-none-match"] == "\"v1\"" })
    }

    @Test("the quirky server serves feeds, gzip and big bodies")
    func quirkyBodies() throws {
        let server = try QuirkyServer()
        defer { server.stop() }
        let five = try Self.curl(server.url("/feed/plain?items=5"))
        #expect(five.headers["content-type"] == "application/rss+xml; charset=utf-8")
        #expect(five.headers["etag"] == nil)
        #expect(five.body.contains(">a5</guid>") && !five.body.contains(">a6</guid>"))
        let gzipped = try Self.curl(server.url("/gzip"), ["--compressed"])
        #expect(gzipped.headers["content-encoding"] == "gzip")
        #expect(gzipped.body.contains(">a2</guid>"))
        for path in ["/big?mb=1", "/big-chunked?mb=1"] {
            let size = try Self.run(["-s", "--noproxy", "*", "-o", "/dev/null", "-w", "%{size_download}", server.url(path)])
            #expect(size == "1048576", "\(path)")
        }
    }

    @Test("a quirky server on 127.0.0.2 answers there")
    func quirkyOtherLoopbackAddress() throws {
        let server = try QuirkyServer(host: "127.0.0.2")
        defer { server.stop() }
        #expect(server.baseURL == "http://127.0.0.2:\(server.port)")
        let response = try Self.curl(server.url("feed/plain"))
        #expect(response.status == 200)
        #expect(response.body.contains(">a1</guid>"))
    }

    // MARK: redis

    @Test("a redis server answers commands")
    func redis() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        #expect(try redis.command(["SET", "k", "v"]) == "OK")
        #expect(try redis.command(["GET", "k"]) == "v")
        #expect(redis.url == "redis://127.0.0.1:\(redis.port)/0")
    }
}

/// The waiting helpers and `.ownThread` themselves.
@Suite("TestSupport waiting")
struct WaitingTests {
    @Test(".ownThread runs a test's synchronous code on its own thread, off the cooperative pool", .ownThread)
    func synchronousOnOwnThread() {
        #expect(OwnThreadTrait.isCurrentThreadOwn)
    }

    @Test(".ownThread resumes an async test, and the child tasks of its task groups, on its own thread", .ownThread)
    func asyncOnOwnThread() async throws {
        #expect(Self.onOwnThread())
        try await Task.sleep(for: .milliseconds(1))  // any suspension: the resumption is what is checked
        #expect(Self.onOwnThread())
        let children = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask { Self.onOwnThread() } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(children == [true, true, true, true])
    }

    @Test(".ownThread(nice: 19) runs the test at that nice value, and only the test", .ownThread(nice: 19))
    func niceThread() async throws {
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == 19)
        let others = await Task.detached { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }.value
        #expect(others == 0)
    }

    @Test("pause suspends for about the time asked, and resumes on the test's own thread", .ownThread)
    func pauseOnOwnThread() async {
        let start = ContinuousClock.now
        await pause(for: .milliseconds(30))
        #expect(ContinuousClock.now - start >= .milliseconds(30))
        #expect(Self.onOwnThread())
    }

    @Test("without the trait a test runs on the cooperative pool")
    func withoutTrait() async {
        #expect(!Self.onOwnThread())
    }

    @Test("waitUntil returns as soon as the condition holds, asks once more at the deadline, and says false after it", .ownThread)
    func waitUntilCondition() async {
        var asked = 0
        #expect(await waitUntil(timeout: .seconds(10), every: .milliseconds(5)) {
            asked += 1
            return asked == 3
        })
        #expect(asked == 3)
        asked = 0
        let start = ContinuousClock.now
        #expect(!(await waitUntil(timeout: .milliseconds(100), every: .milliseconds(30)) {
            asked += 1
            return false
        }))
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        #expect(asked >= 2)
        let late = ContinuousClock.now + .milliseconds(50)
        // A condition that holds only once the deadline has passed still counts.
        #expect(await waitUntil(timeout: .milliseconds(50), every: .seconds(1)) { ContinuousClock.now >= late })
    }

    @Test("waitUntil on a thread of its own suspends there between the questions", .ownThread)
    func waitUntilOnOwnThread() async {
        var threads: [Bool] = []
        #expect(await waitUntil(every: .milliseconds(1)) {
            threads.append(Self.onOwnThread())
            return threads.count == 3
        })
        #expect(threads == [true, true, true])
    }

    /// Whether the caller runs on a thread `.ownThread` made (`Thread.current` is only for
    /// synchronous code).
    static func onOwnThread() -> Bool { OwnThreadTrait.isCurrentThreadOwn }
}
