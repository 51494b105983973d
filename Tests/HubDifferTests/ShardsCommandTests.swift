import Foundation
import Glibc
import TestSupport
import Testing

/// `hubdiffer shards`, run as the built executable on temporary copies of a shard map.
@Suite("hubdiffer shards", .ownThread)
struct ShardsCommandTests {
    static let map = """
        # shards for the tests

        # shard A
        0-99  redis://127.0.0.1:6379/0   # first
        # shard B
        200-299 redis://:s3cret@b.example/1

        """

    /// A directory of its own holding `shards.conf` with `text`; removed by `remove()`.
    struct Workspace {
        let directory: String
        var file: String { directory + "/shards.conf" }

        init(_ text: String = ShardsCommandTests.map) throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("hubdiffer-shards-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        }

        func bytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: file)) }
        func text() throws -> String { String(decoding: try bytes(), as: UTF8.self) }
        func remove() { try? FileManager.default.removeItem(atPath: directory) }

        /// `hubdiffer shards ARGUMENTS --file FILE`.
        func shards(_ arguments: [String]) throws -> ParseCommandTests.Run {
            try ParseCommandTests.run(["shards"] + arguments + ["--file", file])
        }
    }

    // MARK: - list

    @Test("list prints ranges and gaps in ID order, with line numbers and redacted passwords")
    func list() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["list"])
        #expect(run.status == 0)
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first == ["FIRST", "LAST", "LINE", "SERVER"])
        #expect(rows.contains(["0", "99", "4", "redis://127.0.0.1:6379/0"]))
        #expect(rows.contains(["200", "299", "6", "redis://:***@b.example:6379/1"]))
        #expect(rows.contains(["100", "199", "-", "(gap:", "no", "server,", "IDs", "unrouted)"]))
        #expect(rows.contains { $0.first == "300" && $0.dropFirst().first == "9223372036854775807" })
        let firsts = rows.dropFirst().compactMap { $0.first.flatMap { Int64($0) } }
        #expect(firsts == [0, 100, 200, 300])
        #expect(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"))
    }

    @Test("list --json parses as JSON: the ranges with first, last, line and the redacted url")
    func listJSON() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["list", "--json"])
        #expect(run.status == 0)
        let ranges = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(ranges.count == 2)
        #expect(ranges[0]["first"] as? Int == 0)
        #expect(ranges[0]["last"] as? Int == 99)
        #expect(ranges[0]["line"] as? Int == 4)
        #expect(ranges[0]["url"] as? String == "redis://127.0.0.1:6379/0")
        #expect(ranges[1]["first"] as? Int == 200)
        #expect(ranges[1]["url"] as? String == "redis://:***@b.example:6379/1")
        #expect(!run.stdout.contains("s3cret"))
    }

    @Test("list of a missing file exits 66 and says so")
    func listMissing() throws {
        let run = try ParseCommandTests.run(["shards", "list", "--file", "/nonexistent/shards.conf"])
        #expect(run.status == 66)
        #expect(run.stderr.contains("cannot read /nonexistent/shards.conf"))
    }

    // MARK: - route

    @Test("route names the range, its line and its server")
    func routeRouted() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["route", "250"])
        #expect(run.status == 0)
        #expect(run.stdout == "feed 250: range 200-299 (line 6 of \(workspace.file)) on redis://:***@b.example:6379/1\n")
    }

    @Test("route of an ID in a gap exits 65, naming the gap")
    func routeGap() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["route", "150"])
        #expect(run.status == 65)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("feed 150: in no range (a gap)"))
        #expect(run.stderr.contains("100-199"))
        let bad = try workspace.shards(["route", "12x"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("write feed IDs as digits only"))
    }

    // MARK: - edits

    @Test("add puts the range after the one before it; comments, spacing and order stay")
    func add() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["add", "100-199", "redis://:pa55@c.example:6380/2"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("added 100-199 on redis://:***@c.example:6380/2 (line 5 of"))
        #expect(!run.stdout.contains("pa55") && !run.stderr.contains("pa55"))
        #expect(
            try workspace.text() == """
                # shards for the tests

                # shard A
                0-99  redis://127.0.0.1:6379/0   # first
                100-199  redis://:pa55@c.example:6380/2
                # shard B
                200-299 redis://:s3cret@b.example/1

                """)
    }

    @Test("remove takes out the range's line alone")
    func remove() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["remove", "0-99"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("removed 0-99"))
        #expect(try workspace.text() == "# shards for the tests\n\n# shard A\n# shard B\n200-299 redis://:s3cret@b.example/1\n")
    }

    @Test("split (AT as an argument or --at) and merge back; trailing comments stay")
    func splitAndMerge() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let split = try workspace.shards(["split", "0-99", "50"])
        #expect(split.status == 0)
        #expect(split.stdout.contains("split 0-99 at 50: 0-49 (line 4 of"))
        #expect(
            try workspace.text() == """
                # shards for the tests

                # shard A
                0-49  redis://127.0.0.1:6379/0  # first
                50-99  redis://127.0.0.1:6379/0  # first
                # shard B
                200-299 redis://:s3cret@b.example/1

                """)
        let again = try workspace.shards(["split", "50-99", "--at", "75"])
        #expect(again.status == 0)
        #expect(try workspace.text().contains("50-74  redis://127.0.0.1:6379/0  # first\n75-99  redis://127.0.0.1:6379/0  # first\n"))

        let merge = try workspace.shards(["merge", "75-99", "50-74"])
        #expect(merge.status == 0)
        #expect(merge.stdout.contains("merged 75-99 and 50-74 into 50-99"))
        let mergeAll = try workspace.shards(["merge", "0-49", "50-99"])
        #expect(mergeAll.status == 0)
        #expect(
            try workspace.text() == """
                # shards for the tests

                # shard A
                0-99  redis://127.0.0.1:6379/0  # first
                # shard B
                200-299 redis://:s3cret@b.example/1

                """)
    }

    @Test("set gives a range another server on its own line; the same server changes nothing")
    func set() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let run = try workspace.shards(["set", "200-299", "redis://d.example"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("200-299 (line 6 of \(workspace.file)) is now on redis://d.example:6379/0"))
        #expect(!run.stdout.contains("s3cret"))
        #expect(
            try workspace.text() == """
                # shards for the tests

                # shard A
                0-99  redis://127.0.0.1:6379/0   # first
                # shard B
                200-299  redis://d.example:6379/0

                """)
        let before = try workspace.bytes()
        let same = try workspace.shards(["set", "200-299", "redis://d.example:6379/0"])
        #expect(same.status == 0)
        #expect(same.stdout.contains("no change"))
        #expect(try workspace.bytes() == before)
    }

    /// An edit that must be refused, the status it ends with and a phrase of its message.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let refusals: [Refusal] = [
        Refusal(arguments: ["add", "50-150", "redis://c"], status: 65, message: "overlaps 0-99 on line 4"),
        Refusal(arguments: ["add", "250-250", "redis://c"], status: 65, message: "choose IDs in a gap"),
        Refusal(arguments: ["add", "100-199", "http://c"], status: 64, message: "the URL must start with redis://"),
        Refusal(arguments: ["add", "100-199", "redis://:p@c:99999"], status: 64, message: "port 99999 is outside 1-65535"),
        Refusal(arguments: ["add", "redis://c", "100-199"], status: 64, message: "the range comes first"),
        Refusal(arguments: ["add", "199-100", "redis://c"], status: 64, message: "reversed"),
        Refusal(arguments: ["add", "1x-5", "redis://c"], status: 64, message: "write feed IDs as digits only"),
        Refusal(arguments: ["add", "0-99999999999999999999", "redis://c"], status: 64, message: "above 9223372036854775807"),
        Refusal(arguments: ["remove", "0-50"], status: 65, message: "has no range 0-50"),
        Refusal(arguments: ["remove", "100"], status: 64, message: "is not a range"),
        Refusal(arguments: ["split", "0-99", "0"], status: 65, message: "the split point must lie in 1-99"),
        Refusal(arguments: ["split", "0-99", "100"], status: 65, message: "the split point must lie in 1-99"),
        Refusal(arguments: ["split", "0-98", "50"], status: 65, message: "has no range 0-98"),
        Refusal(arguments: ["split", "0-99"], status: 64, message: "give the split point AT"),
        Refusal(arguments: ["split", "0-99", "5", "--at", "6"], status: 64, message: "give AT once"),
        Refusal(arguments: ["merge", "0-99", "200-299"], status: 65, message: "not adjacent"),
        Refusal(arguments: ["merge", "0-99", "0-99"], status: 65, message: "with itself"),
        Refusal(arguments: ["set", "0-98", "redis://c"], status: 65, message: "has no range 0-98"),
        Refusal(arguments: ["set", "0-99", "redis://user:pw@c"], status: 64, message: "user names are not supported"),
    ]

    @Test("a refused edit exits non-zero with a helpful message and leaves the file byte for byte", arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let before = try workspace.bytes()
        let run = try workspace.shards(refusal.arguments)
        #expect(run.status == refusal.status)
        #expect(run.stderr.contains(refusal.message), "stderr: \(run.stderr)")
        if refusal.status == 65 {
            #expect(run.stderr.contains("\(workspace.file) was not changed"))
        }
        #expect(run.stdout.isEmpty)
        #expect(try workspace.bytes() == before)
        #expect(!run.stderr.contains("s3cret"))
    }

    @Test("merging ranges on different servers is refused; the file stays")
    func mergeDifferentServers() throws {
        let workspace = try Workspace("0-99 redis://a\n100-199 redis://b\n")
        defer { workspace.remove() }
        let before = try workspace.bytes()
        let run = try workspace.shards(["merge", "0-99", "100-199"])
        #expect(run.status == 65)
        #expect(run.stderr.contains("they are on different servers"))
        #expect(try workspace.bytes() == before)
    }

    @Test("an invalid file: check and edits name the line, exit 65, and write nothing")
    func invalidFile() throws {
        let text = "# bad\n0-99 redis://a\n50-150 redis://b\n300-200 redis://c\n"
        let workspace = try Workspace(text)
        defer { workspace.remove() }
        let check = try workspace.shards(["check"])
        #expect(check.status == 65)
        #expect(check.stderr.contains("\(workspace.file):3: range 50-150 overlaps 0-99 on line 2"))
        #expect(check.stderr.contains("\(workspace.file):4: range 300-200 is reversed"))
        #expect(check.stderr.contains("2 problems"))
        let edit = try workspace.shards(["add", "1000-1999", "redis://d"])
        #expect(edit.status == 65)
        #expect(edit.stderr.contains("\(workspace.file):3:"))
        #expect(try workspace.text() == text)
    }

    // MARK: - dry runs

    @Test("--dry-run prints a diff with redacted passwords and leaves the file byte for byte", arguments: [
        (["add", "100-199", "redis://:pa55@c.example/2"], ["+100-199  redis://:***@c.example:6379/2"]),
        (["remove", "200-299"], ["-200-299 redis://:***@b.example/1"]),
        (["split", "0-99", "10"], ["-0-99  redis://127.0.0.1:6379/0   # first", "+0-9  redis://127.0.0.1:6379/0  # first",
                                   "+10-99  redis://127.0.0.1:6379/0  # first"]),
        (["set", "200-299", "redis://:n3w@b.example/1"], ["-200-299 redis://:***@b.example/1", "+200-299  redis://:***@b.example:6379/1"]),
    ])
    func dryRun(_ arguments: [String], _ expected: [String]) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let before = try workspace.bytes()
        let run = try workspace.shards(arguments + ["--dry-run"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "--- \(workspace.file)")
        #expect(lines.dropFirst().first == "+++ \(workspace.file) (after the edit)")
        #expect(lines.contains { $0.hasPrefix("@@ -") && $0.hasSuffix(" @@") })
        for line in expected { #expect(lines.contains(line), "missing \(line) in \(run.stdout)") }
        // Unchanged lines around the change are shown as context.
        #expect(lines.contains(" # shard B"))
        #expect(run.stderr.contains("nothing was written to \(workspace.file)"))
        for secret in ["s3cret", "pa55", "n3w"] { #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret)) }
        #expect(try workspace.bytes() == before)
    }

    @Test("--dry-run of a merge shows the lower line rewritten and the upper one gone")
    func dryRunMerge() throws {
        let workspace = try Workspace("# two halves\r\n0-9 redis://a\r\n10-19 redis://a\r\n# end\r\n")
        defer { workspace.remove() }
        let before = try workspace.bytes()
        let run = try workspace.shards(["merge", "0-9", "10-19", "--dry-run"])
        #expect(run.status == 0)
        #expect(
            run.stdout
                == """
                --- \(workspace.file)
                +++ \(workspace.file) (after the edit)
                @@ -1,4 +1,3 @@
                 # two halves
                -0-9 redis://a
                -10-19 redis://a
                +0-19  redis://a:6379/0
                 # end

                """)
        #expect(try workspace.bytes() == before)
    }

    // MARK: - the editor lock

    @Test("an edit while another editor holds the lock is refused cleanly; the file stays")
    func lockHeld() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let before = try workspace.bytes()
        // The lock the library takes: flock on FILE.lock (see ShardMap+Lock.swift).
        let fd = open(workspace.file + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let refused = try workspace.shards(["add", "100-199", "redis://c"])
        #expect(refused.status == 75)
        #expect(refused.stderr.contains("another hubdiffer shards edit holds the lock on \(workspace.file)"))
        #expect(refused.stderr.contains("try again"))
        #expect(refused.stdout.isEmpty)
        #expect(try workspace.bytes() == before)
        flock(fd, LOCK_UN)
        close(fd)

        let after = try workspace.shards(["add", "100-199", "redis://c"])
        #expect(after.status == 0)
        #expect(try workspace.text().contains("100-199  redis://c:6379/0\n"))
    }

    // MARK: - servers

    @Test("check against a live server prints one line for it and exits 0")
    func checkLive() throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        try server.command(["SET", "k", "v"])
        let workspace = try Workspace("# live\n0-99 \(server.url)\n100-199 \(server.url)\n")
        defer { workspace.remove() }
        let run = try workspace.shards(["check"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.contains("2 ranges on 1 server") == true)
        let serverLine = try #require(lines.last)
        #expect(serverLine.hasPrefix("\(server.url) (2 ranges): ok, memory "))
        #expect(serverLine.contains(", 1 key, "))
        // redis-server's default (128) is below the store's bound for a 50-entry feed (150).
        #expect(serverLine.contains("warning: zset-max-listpack-entries is 128, below 150"))

        try server.command(["CONFIG", "SET", "zset-max-listpack-entries", "256"])
        let raised = try workspace.shards(["check"])
        #expect(raised.status == 0)
        #expect(raised.stdout.contains("zset-max-listpack-entries 256 (sets of up to 150 entries stay compact)"))
        #expect(!raised.stdout.contains("warning"))
    }

    @Test("check with a server where nothing listens exits 69 and names it")
    func checkUnreachable() throws {
        let port = try RedisServerProcess.freePort()
        let workspace = try Workspace("0-99 redis://:s3cret@127.0.0.1:\(port)/3\n")
        defer { workspace.remove() }
        let run = try workspace.shards(["check"])
        #expect(run.status == 69)
        #expect(run.stdout.contains("redis://:***@127.0.0.1:\(port)/3 (1 range): unreachable"))
        #expect(run.stderr.contains("redis://:***@127.0.0.1:\(port)/3 cannot be reached"))
        #expect(run.stderr.contains("check that redis-server runs there"))
        #expect(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"))
    }

    @Test("list --count counts each range's e:{feed} sets; an unreachable server shows as such, exit 69")
    func listCount() throws {
        let server = try RedisServerProcess()
        defer { server.kill() }
        for key in ["e:5", "e:7", "e:150", "e:250"] { try server.command(["ZADD", key, "1", "m"]) }
        try server.command(["SET", "f:5", "state"])  // not a set of seen entries
        let port = try RedisServerProcess.freePort()
        let workspace = try Workspace(
            "0-99 \(server.url)\n100-199 \(server.url)\n200-299 \(server.url)\n300-399 redis://127.0.0.1:\(port)/0\n1000-1999 \(server.url)\n"
        )
        defer { workspace.remove() }
        // 250 lies in 200-299: drop that range so e:250 lies in a gap, outside the server's ranges.
        #expect(try workspace.shards(["remove", "200-299"]).status == 0)

        let run = try workspace.shards(["list", "--count"])
        #expect(run.status == 69)
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first == ["FIRST", "LAST", "LINE", "FEEDS", "SERVER"])
        #expect(rows.contains(["0", "99", "1", "2", server.url]))
        #expect(rows.contains(["100", "199", "2", "1", server.url]))
        #expect(rows.contains(["1000", "1999", "4", "0", server.url]))
        #expect(rows.contains(["300", "399", "3", "unreachable", "redis://127.0.0.1:\(port)/0"]))
        #expect(run.stderr.contains("redis://127.0.0.1:\(port)/0: unreachable"))
        #expect(run.stderr.contains("\(server.url) also holds 1 feed set(s) outside its ranges"))

        let json = try workspace.shards(["list", "--count", "--json"])
        #expect(json.status == 69)
        let ranges = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(ranges.map { $0["feeds"] as? Int } == [2, 1, nil, 0])
        #expect(ranges[2]["feeds"] is NSNull)
    }

    // MARK: - help

    @Test("every subcommand's --help has examples", arguments: ["", "list", "check", "route", "add", "remove", "split", "merge", "set"])
    func help(_ subcommand: String) throws {
        let run = try ParseCommandTests.run(["shards"] + (subcommand.isEmpty ? [] : [subcommand]) + ["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Examples:\n  hubdiffer shards \(subcommand)"))
    }
}
