import Foundation
import Testing
import TestSupport

/// `hubdiffer fetch`, run as the built executable against a real nginx and redis-server.
@Suite("hubdiffer fetch", .serialized, .ownThread)
struct FetchCommandTests {
    /// A shards.conf naming `url` for every feed, in a temporary file.
    static func shardsFile(_ url: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString).conf").path
        try "0-9223372036854775807 \(url)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func fetch(_ feed: Int, _ url: String, shards: String, _ extra: [String] = []) throws -> ParseCommandTests.Run {
        try ParseCommandTests.run(["fetch", String(feed), url, "--shards", shards, "--allow-private-addresses"] + extra)
    }

    static func ids(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["id"] as? String
        }
    }

    @Test("twice on a feed prints nothing the second time; three new entries print exactly those three")
    func secondRunAndNewEntries() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...5).utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile(redis.url)
        let url = nginx.baseURL + "/feed.xml"

        let first = try Self.fetch(42, url, shards: shards)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Set(Self.ids(first.stdout)) == Set((1...5).map { "item-\($0)" }))
        let line = try #require(first.stdout.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for field in ["feed", "key", "id", "link", "title", "summary", "content", "authors", "categories", "enclosures", "published", "updated"] {
            #expect(object.keys.contains(field), "missing \(field)")
        }
        #expect(object["feed"] as? Int == 42)

        let second = try Self.fetch(42, url, shards: shards)
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr.contains("304"))

        try nginx.write("feed.xml", FeedFixtures.rss(items: 1...8))
        let third = try Self.fetch(42, url, shards: shards)
        #expect(third.status == 0)
        #expect(Self.ids(third.stdout) == ["item-8", "item-7", "item-6"])
        #expect(try Self.fetch(42, url, shards: shards).stdout.isEmpty)
    }

    @Test("a feed that flips between 200 items and its newest 5 re-sends nothing after its first cycle")
    func flippingFeed() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...200).utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile(redis.url)
        let url = nginx.baseURL + "/feed.xml"
        let first = try Self.fetch(9, url, shards: shards)
        #expect(first.status == 0 && Self.ids(first.stdout).count == 200, "\(first.stderr)")
        for cycle in 0..<3 {
            try nginx.write("feed.xml", FeedFixtures.rss(items: 196...200))
            let short = try Self.fetch(9, url, shards: shards)
            #expect(short.status == 0 && short.stdout.isEmpty, "cycle \(cycle), 5 items: \(Self.ids(short.stdout).count) re-sent")
            try nginx.write("feed.xml", FeedFixtures.rss(items: 1...200))
            let long = try Self.fetch(9, url, shards: shards)
            #expect(long.status == 0 && long.stdout.isEmpty, "cycle \(cycle), 200 items: \(Self.ids(long.stdout).count) re-sent")
        }
        #expect(try redis.command(["ZCARD", "e:9"]) == "200")
    }

    @Test("a shard refusing writes (OOM): the entries print, the failure is said, exit 75; the next run prints them again")
    func outOfMemory() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...6).utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile(redis.url)
        let url = nginx.baseURL + "/feed.xml"
        #expect(try redis.command(["CONFIG", "SET", "maxmemory", "1"]) == "OK")
        for _ in 0..<2 {
            let run = try Self.fetch(1, url, shards: shards)
            #expect(run.status == 75, "\(run.stderr)")
            #expect(Self.ids(run.stdout).count == 6)
            #expect(run.stderr.contains("out of memory") && run.stderr.contains("could not be recorded"), "\(run.stderr)")
        }
        #expect(try redis.command(["EXISTS", "e:1"]) == "0")
        #expect(try redis.command(["CONFIG", "SET", "maxmemory", "0"]) == "OK")
        let recovered = try Self.fetch(1, url, shards: shards)
        #expect(recovered.status == 0 && Self.ids(recovered.stdout).count == 6)
        #expect(try Self.fetch(1, url, shards: shards).stdout.isEmpty)
    }

    @Test("an empty feed keeps its validators: the second run is a 304")
    func emptyFeed() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let empty = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Empty</title></channel></rss>\n"
        let nginx = try NginxProcess(files: ["feed.xml": Array(empty.utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile(redis.url)
        let first = try Self.fetch(3, nginx.baseURL + "/feed.xml", shards: shards)
        #expect(first.status == 0 && first.stdout.isEmpty, "\(first.stderr)")
        let second = try Self.fetch(3, nginx.baseURL + "/feed.xml", shards: shards)
        #expect(second.status == 0 && second.stderr.contains("304"), "\(second.stderr)")
    }

    @Test("a redirect to 169.254.169.254 is refused even with --allow-private-addresses; --allow-address opens one range")
    func metadataAddress() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let shards = try Self.shardsFile(redis.url)
        let toMetadata = server.url("/redirect?code=302&to=http://169.254.169.254/latest/meta-data/")
        let refused = try Self.fetch(1, toMetadata, shards: shards, ["--timeout", "5"])
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("169.254.169.254 is link-local or a cloud's metadata service"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-address"))
        // Loopback by a range alone, without --allow-private-addresses.
        let ranged = try ParseCommandTests.run(
            ["fetch", "2", server.url("/feed/plain"), "--shards", shards, "--allow-address", "127.0.0.0/8"])
        #expect(ranged.status == 0 && Self.ids(ranged.stdout).count == 2, "\(ranged.stderr)")
        let bad = try ParseCommandTests.run(["fetch", "2", server.url("/feed/plain"), "--shards", shards, "--allow-address", "127.0.0.0/40"])
        #expect(bad.status == 64 && bad.stderr.contains("the prefix length must be 0 to 32"), "\(bad.stderr)")
    }

    @Test("over HTTPS trusted through --ca-file: fetched and diffed; expired, wrong-name and unknown-issuer certificates exit 69, each with its own words")
    func https() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let shards = try Self.shardsFile(redis.url)
        let certificates = try TestCertificates()
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...3).utf8)], tls: NginxTLS(certificates.server))
        defer { nginx.stop() }
        let first = try Self.fetch(1, nginx.url("/feed.xml"), shards: shards, ["--ca-file", certificates.caFile])
        #expect(first.status == 0 && Self.ids(first.stdout).count == 3, "\(first.stderr)")
        let second = try Self.fetch(1, nginx.url("/feed.xml"), shards: shards, ["--ca-file", certificates.caFile])
        #expect(second.status == 0 && Self.ids(second.stdout).isEmpty, "\(second.stderr)")
        let untrusted = try Self.fetch(2, nginx.url("/feed.xml"), shards: shards)
        #expect(untrusted.status == 69 && untrusted.stderr.contains("issued by an unknown CA (pass --ca-file"), "\(untrusted.stderr)")
        for (pair, words) in [
            (certificates.expired, "TLS certificate refused (expired): SSL certificate problem: certificate has expired"),
            (certificates.wrongHost, "TLS certificate refused (issued for another host name)"),
            (certificates.unknownIssuer, "TLS certificate refused (issued by an unknown CA"),
        ] {
            let broken = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...3).utf8)], tls: NginxTLS(pair))
            defer { broken.stop() }
            let run = try Self.fetch(3, broken.url("/feed.xml"), shards: shards, ["--ca-file", certificates.caFile])
            #expect(run.status == 69 && run.stderr.contains(words), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let badFile = try ParseCommandTests.run(["fetch", "4", nginx.url("/feed.xml"), "--shards", shards, "--ca-file", "/nonexistent.pem"])
        #expect(badFile.status == 64 && badFile.stderr.contains("--ca-file: /nonexistent.pem cannot be read"), "\(badFile.stderr)")
    }

    @Test("a response header over 100 KB is said in those words, not as libcurl's \"Out of memory\"")
    func giantHeader() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let run = try Self.fetch(1, server.url("/big-header?bytes=200000"), shards: try Self.shardsFile(redis.url))
        #expect(run.status == 69 && run.stderr.contains("over libcurl's 100 KB limit"), "\(run.stderr)")
        #expect(!run.stderr.contains("Out of memory"))
    }

    @Test("a server without validators: the second run finds the same body and prints nothing")
    func sameBodyWithoutValidators() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let server = try QuirkyServer()
        defer { server.stop() }
        let shards = try Self.shardsFile(redis.url)
        let first = try Self.fetch(11, server.url("/feed/plain"), shards: shards)
        #expect(Set(Self.ids(first.stdout)) == ["a1", "a2"])
        let second = try Self.fetch(11, server.url("/feed/plain"), shards: shards)
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr.contains("unchanged"))
        let grown = try Self.fetch(11, server.url("/feed/plain?items=3"), shards: shards)
        #expect(Self.ids(grown.stdout) == ["a3"])
    }

    @Test("--dry-run diffs but marks nothing; --format text prints a table")
    func dryRunAndText() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...2).utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile(redis.url)
        let url = nginx.baseURL + "/feed.xml"
        let dry = try Self.fetch(7, url, shards: shards, ["--dry-run"])
        #expect(Self.ids(dry.stdout).count == 2)
        let text = try Self.fetch(7, url, shards: shards, ["--format", "text"])
        #expect(text.stdout.split(separator: "\n").count == 2)
        #expect(text.stdout.contains("Item 2"))
    }

    @Test("with the feed's shard down it prints every entry, warns once, says nothing was recorded and exits 75")
    func shardDown() throws {
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...4).utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile("redis://127.0.0.1:\(try RedisServerProcess.freePort())/0")
        let result = try Self.fetch(9, nginx.baseURL + "/feed.xml", shards: shards)
        #expect(result.status == 75)
        #expect(Self.ids(result.stdout).count == 4)
        #expect(result.stderr.contains("could not be recorded"))
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.count == 1, "\(result.stderr)")
    }

    @Test("exit codes: 65 not a feed, 69 HTTP failure or refused address, 64 usage")
    func exitCodes() throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let nginx = try NginxProcess(files: ["page.html": Array("<html><body>hello</body></html>".utf8)])
        defer { nginx.stop() }
        let shards = try Self.shardsFile(redis.url)
        let notAFeed = try Self.fetch(1, nginx.baseURL + "/page.html", shards: shards)
        #expect(notAFeed.status == 65)
        #expect(notAFeed.stderr.contains("not a feed"))
        let missing = try Self.fetch(1, nginx.baseURL + "/missing.xml", shards: shards)
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("HTTP 404"))
        let refused = try ParseCommandTests.run(["fetch", "1", nginx.baseURL + "/page.html", "--shards", shards])
        #expect(refused.status == 69)
        #expect(refused.stderr.contains("--allow-private-addresses"))
        #expect(try ParseCommandTests.run(["fetch", "x", "http://example.com/"]).status == 64)
        let noMap = try ParseCommandTests.run(["fetch", "1", "http://127.0.0.1/", "--shards", "/nonexistent/shards.conf"])
        #expect(noMap.status == 64)
        #expect(noMap.stderr.contains("--shards"))
    }
}
