import RedisWire
import EntryStore
import Foundation
import Glibc
import ShardRouter
import TestSupport
import Testing

/// `hubdiffer shards move`, run as the built executable between two real redis-servers.
@Suite("hubdiffer shards move", .serialized, .ownThread)
struct ShardsMoveTests {
    /// What one feed holds on a server: its set (member → score) and its state (field → value).
    struct FeedKeys: Equatable {
        var members: [[UInt8]: String]
        var state: [String: String]
    }

    /// Writes `feeds` on `client`: 20 members a set with distinct scores, and a state.
    static func populate(_ client: RedisClient, feeds: some Sequence<Int64>) async throws {
        var batch: [RedisCommand] = []
        for feed in feeds {
            var arguments: [[UInt8]] = [Array("ZADD".utf8), Array("e:\(feed)".utf8)]
            for index in 0..<20 {
                arguments.append(Array(String(1_700_000_000 + index * 60).utf8))
                withUnsafeBytes(of: UInt64(feed * 1000 + Int64(index)).bigEndian) { arguments.append(Array($0)) }
            }
            batch.append(RedisCommand(arguments))
            batch.append(RedisCommand("HSET", "f:\(feed)", "etag", "\"v\(feed)\"", "errors", "0"))
            if batch.count >= 1000 {
                _ = try await client.pipeline(batch)
                batch.removeAll()
            }
        }
        _ = try await client.pipeline(batch)
    }

    /// Every feed of `feeds` that has keys on `client`, with what it holds.
    static func snapshot(_ client: RedisClient, feeds: some Sequence<Int64>) async throws -> [Int64: FeedKeys] {
        let feeds = Array(feeds)
        var result: [Int64: FeedKeys] = [:]
        for start in stride(from: 0, to: feeds.count, by: 500) {
            let slice = feeds[start..<min(start + 500, feeds.count)]
            let replies = try await client.pipeline(
                slice.flatMap { [RedisCommand("ZRANGE", "e:\($0)", "0", "-1", "WITHSCORES"), RedisCommand("HGETALL", "f:\($0)")] })
            for (index, feed) in slice.enumerated() {
                let pairs = Self.bulks(replies[2 * index])
                let fields = Self.bulks(replies[2 * index + 1])
                guard !pairs.isEmpty || !fields.isEmpty else { continue }
                var keys = FeedKeys(members: [:], state: [:])
                for pair in stride(from: 0, to: pairs.count - 1, by: 2) {
                    keys.members[pairs[pair]] = String(decoding: pairs[pair + 1], as: UTF8.self)
                }
                for pair in stride(from: 0, to: fields.count - 1, by: 2) {
                    keys.state[String(decoding: fields[pair], as: UTF8.self)] = String(decoding: fields[pair + 1], as: UTF8.self)
                }
                result[feed] = keys
            }
        }
        return result
    }

    static func bulks(_ reply: RedisReply) -> [[UInt8]] {
        guard case .array(let elements?) = reply else { return [] }
        return elements.compactMap { if case .bulk(let bytes?) = $0 { bytes } else { nil } }
    }

    static func client(_ redis: RedisServerProcess) throws -> RedisClient {
        RedisClient(endpoint: try ShardEndpoint(url: redis.url))
    }

    static func writeMap(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hubdiffer-move-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/shards.conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @Test("10,000 feeds move with every key, the daemon gets SIGHUP, and a fetch right after prints only what is new")
    func moveTenThousandFeeds() async throws {
        let a = try RedisServerProcess()
        defer { a.kill() }
        let b = try RedisServerProcess()
        defer { b.kill() }
        let nginx = try NginxProcess(files: ["feed.xml": Array(FeedFixtures.rss(items: 1...5).utf8)])
        defer { nginx.stop() }
        let map = try Self.writeMap("# test map\n0-9999 \(a.url)\n10000-19999 \(a.url)  # stays\n")
        defer { try? FileManager.default.removeItem(atPath: (map as NSString).deletingLastPathComponent) }
        let feedURL = nginx.baseURL + "/feed.xml"

        // Feed 42 is polled for real before the move; the rest is written directly.
        let first = try FetchCommandTests.fetch(42, feedURL, shards: map)
        #expect(first.status == 0 && FetchCommandTests.ids(first.stdout).count == 5, "\(first.stderr)")
        let source = try Self.client(a)
        let target = try Self.client(b)
        try await Self.populate(source, feeds: (0..<10_000).lazy.filter { $0 != 42 }.map(Int64.init))
        try await Self.populate(source, feeds: (10_000..<10_100).map(Int64.init))
        let before = try await Self.snapshot(source, feeds: (0..<10_000).map(Int64.init))
        let untouched = try await Self.snapshot(source, feeds: (10_000..<10_100).map(Int64.init))
        #expect(before.count == 10_000 && untouched.count == 100)

        // A stand-in daemon: records SIGHUP in a file and exits.
        let hupFile = map + ".hup"
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        daemon.arguments = [
            "-c",
            "import signal,sys,time\nsignal.pthread_sigmask(signal.SIG_UNBLOCK,[signal.SIGHUP])\n"
                + "signal.signal(signal.SIGHUP, lambda *a: (open(sys.argv[1],'w').write('hup'), sys.exit(0)))\n"
                + "print('ready', flush=True)\ntime.sleep(60)",
            hupFile,
        ]
        let ready = Pipe.closingOnExec()
        daemon.standardOutput = ready
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        _ = ready.fileHandleForReading.availableData  // "ready": its handler is installed

        let move = try ParseCommandTests.run([
            "shards", "move", "0-9999", b.url, "--file", map, "--pid", String(daemon.processIdentifier), "--grace", "1",
        ])
        #expect(move.status == 0, "\(move.stderr)")
        #expect(move.stdout.contains("done: 0-9999 moved to \(b.url) (10000 feeds)"), "\(move.stdout)")
        #expect(Self.text(hupFile) == "hup")

        let after = try await Self.snapshot(target, feeds: (0..<10_000).map(Int64.init))
        #expect(after.count == 10_000)
        #expect(after == before, "the keys on the new server differ from the old server's")
        #expect(try await Self.snapshot(source, feeds: (0..<10_000).map(Int64.init)).isEmpty)
        #expect(try await Self.snapshot(source, feeds: (10_000..<10_100).map(Int64.init)) == untouched)
        #expect(Self.text(map) == "# test map\n0-9999  \(b.url)\n10000-19999 \(a.url)  # stays\n")
        #expect(!FileManager.default.fileExists(atPath: map + ".move"))

        // Right after the move: nothing old comes out; of a changed feed, only what is new.
        let again = try FetchCommandTests.fetch(42, feedURL, shards: map)
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stdout)")
        try nginx.write("feed.xml", FeedFixtures.rss(items: 1...7))
        let changed = try FetchCommandTests.fetch(42, feedURL, shards: map)
        #expect(FetchCommandTests.ids(changed.stdout) == ["item-7", "item-6"], "\(changed.stdout)\(changed.stderr)")
    }

    @Test("SIGINT half-way leaves the map and every set in place; the same command then finishes with the same result")
    func interruptAndResume() async throws {
        let a = try RedisServerProcess()
        defer { a.kill() }
        let b = try RedisServerProcess()
        defer { b.kill() }
        let mapText = "0-9999 \(a.url)\n10000-19999 \(a.url)\n"
        let map = try Self.writeMap(mapText)
        defer { try? FileManager.default.removeItem(atPath: (map as NSString).deletingLastPathComponent) }
        let source = try Self.client(a)
        let target = try Self.client(b)
        let feeds = (0..<10_000).map(Int64.init)
        try await Self.populate(source, feeds: feeds)

        // Paced at 4,000 feeds a second, the copy takes 2.5 s; progress shows every 0.5 s.
        let process = Process()
        process.executableURL = ParseCommandTests.executable
        process.arguments = ["shards", "move", "0-9999", b.url, "--file", map, "--no-daemon", "--rate", "4000"]
        let errors = Pipe.closingOnExec()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var seen = ""
        var interruptedAt: Int?
        while interruptedAt == nil {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            for line in seen.split(separator: "\n") where line.hasPrefix("copy: ") {
                if let done = Int(line.dropFirst(6).prefix { $0.isNumber }), done > 0, done < 10_000 {
                    kill(process.processIdentifier, SIGINT)
                    interruptedAt = done
                    break
                }
            }
        }
        seen += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(interruptedAt != nil, "no progress line: \(seen)")
        #expect(process.terminationStatus == 130, "\(seen)")
        #expect(seen.contains("interrupted while copying"), "\(seen)")
        #expect(Self.text(map) == mapText)
        #expect(FileManager.default.fileExists(atPath: map + ".move"))
        let partial = try await Self.snapshot(target, feeds: feeds).count
        #expect(partial > 0 && partial < 10_000, "copied \(partial)")

        // Writes to the old server meanwhile (a poll marking entries) must arrive too.
        _ = try await source.pipeline([
            RedisCommand("ZADD", "e:5", "1800000000", "new-of-5"), RedisCommand("ZADD", "e:9999", "1800000000", "new-of-9999"),
        ])
        let before = try await Self.snapshot(source, feeds: feeds)

        // Until the move is finished, other edits of the map are refused.
        let edit = try ParseCommandTests.run(["shards", "split", "10000-19999", "15000", "--file", map])
        #expect(edit.status == 75 && edit.stderr.contains("unfinished"), "\(edit.stderr)")
        let other = try ParseCommandTests.run(["shards", "move", "10000-19999", b.url, "--file", map, "--no-daemon"])
        #expect(other.status == 75 && other.stderr.contains("is unfinished"), "\(other.stderr)")
        #expect(Self.text(map) == mapText)

        let resumed = try ParseCommandTests.run(["shards", "move", "0-9999", b.url, "--file", map, "--no-daemon"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming the move of 0-9999"))
        #expect(try await Self.snapshot(target, feeds: feeds) == before)
        #expect(try await Self.snapshot(source, feeds: feeds).isEmpty)
        #expect(Self.text(map) == "0-9999  \(b.url)\n10000-19999 \(a.url)\n")
        #expect(!FileManager.default.fileExists(atPath: map + ".move"))
    }

    @Test("refusals leave the map byte-identical: a range that is not one line, no daemon named, a dead server")
    func refusals() async throws {
        let a = try RedisServerProcess()
        defer { a.kill() }
        let deadPort = try RedisServerProcess.freePort()
        let mapText = "0-9999 \(a.url)\n"
        let map = try Self.writeMap(mapText)
        defer { try? FileManager.default.removeItem(atPath: (map as NSString).deletingLastPathComponent) }
        let target = "redis://127.0.0.1:\(deadPort)/0"

        let part = try ParseCommandTests.run(["shards", "move", "0-499", target, "--file", map, "--no-daemon"])
        #expect(part.status == 65 && part.stderr.contains("split"), "\(part.stderr)")
        let noDaemon = try ParseCommandTests.run(["shards", "move", "0-9999", target, "--file", map, "--pid-file", map + ".pid"])
        #expect(noDaemon.status == 64 && noDaemon.stderr.contains("--no-daemon"), "\(noDaemon.stderr)")
        let dead = try ParseCommandTests.run(["shards", "move", "0-9999", target, "--file", map, "--no-daemon"])
        #expect(dead.status == 69 && dead.stderr.contains("127.0.0.1:\(deadPort)"), "\(dead.stderr)")
        let same = try ParseCommandTests.run(["shards", "move", "0-9999", a.url, "--file", map, "--no-daemon"])
        #expect(same.status == 0 && same.stdout.contains("nothing to move"))
        #expect(Self.text(map) == mapText)
        #expect(!FileManager.default.fileExists(atPath: map + ".move"))

        let help = try ParseCommandTests.run(["shards", "move", "--help"])
        #expect(help.stdout.contains("Examples:") && help.stdout.contains("hubdiffer shards move 0-999"))
    }
}
