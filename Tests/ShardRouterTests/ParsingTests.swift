import Foundation
import Testing

@testable import ShardRouter

@Suite("Parsing shards.conf")
struct ParsingTests {
    static let sample = """
        # HubDiffer shard map
           # an indented comment

        100-199\tredis://Cache-B.example:6380/2   # the second server
        0-99  redis://cache-a
          200-299 redis://:s%40cret@[::1]:7000/15 #no space before
        \t
        9223372036854775800-9223372036854775807 redis://10.0.0.3/0 # at the end

        """

    @Test("a file with comments, blank lines and trailing comments parses")
    func parsesSample() throws {
        let map = try ShardMap(parsing: Self.sample)
        #expect(
            map.ranges.map(\.bounds) == [
                0...99, 100...199, 200...299, 9_223_372_036_854_775_800...Int64.max,
            ])
        let a = map.ranges[0].endpoint
        #expect(a.host == "cache-a" && a.port == 6379 && a.database == 0 && a.password == nil)
        let b = map.ranges[1].endpoint
        #expect(b.host == "cache-b.example" && b.port == 6380 && b.database == 2)
        let c = map.ranges[2].endpoint
        #expect(c.host == "::1" && c.port == 7000 && c.database == 15 && c.password == "s@cret")
        #expect(c.url == "redis://:s%40cret@[::1]:7000/15")
        #expect(map.ranges[3].endpoint.url == "redis://10.0.0.3:6379/0")
        #expect(map.lines[3].trailingComment == "# the second server")
        #expect(map.lines[5].trailingComment == "#no space before")
        #expect(map.lines[7].trailingComment == "# at the end")
    }

    @Test(
        "unchanged maps render byte for byte",
        arguments: [
            sample,
            "",
            "\n",
            "\n\n\n",
            "# only a comment",
            "# only a comment\n",
            "0-9 redis://h",  // no final newline
            "0-9 redis://h\n\n\n",  // blank lines at the end
            "# crlf\r\n0-9  redis://h:1/1\r\n\r\n10-19 redis://h   # c\r\n",
            "\u{FEFF}# byte-order mark\n0-9 redis://h\n",
            "# ünïcødé ✓ comment\n0-0 redis://h # ✓\n",
            "   0-9      redis://h:6379/0      \t  \n",
        ])
    func roundTrip(text: String) throws {
        let map = try ShardMap(parsing: text)
        #expect(map.rendered() == text)
        #expect(Array(map.rendered().utf8) == Array(text.utf8))
    }

    @Test("a CRLF file's ranges parse without the carriage return")
    func crlf() throws {
        let map = try ShardMap(parsing: "0-9 redis://h:7/3\r\n10-19 redis://:pw@h\r\n")
        #expect(map.ranges.map(\.endpoint.database) == [3, 0])
        #expect(map.ranges[1].endpoint.password == "pw")
    }

    @Test("an empty map routes nothing and has one gap")
    func emptyMap() throws {
        let map = try ShardMap(parsing: "# nothing yet\n")
        #expect(map.ranges.isEmpty)
        #expect(map.endpoints.isEmpty)
        #expect(map.gaps == [0...Int64.max])
        #expect(map.route(0) == nil)
    }

    @Test("single-ID ranges and the extreme IDs parse")
    func extremes() throws {
        let map = try ShardMap(
            parsing: "0-0 redis://h\n9223372036854775807-9223372036854775807 redis://h\n")
        #expect(map.ranges.map(\.bounds) == [0...0, Int64.max...Int64.max])
        #expect(map.ranges[1].count == 1)
        let whole = try ShardMap(parsing: "0-9223372036854775807 redis://h\n")
        #expect(whole.ranges[0].count == UInt64(Int64.max) + 1)
    }

    @Test("load(from:) reads a file and names it in messages")
    func load() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        try Self.sample.write(toFile: path, atomically: false, encoding: .utf8)
        let map = try ShardMap.load(from: path)
        #expect(map.fileName == path)
        #expect(map.rendered() == Self.sample)

        try "0-9 redis://h\n5-7 redis://h\n".write(toFile: path, atomically: false, encoding: .utf8)
        let error = refusal { () throws(ShardMapError) in try ShardMap.load(from: path) }
        #expect(error?.description.hasPrefix("\(path):2: range 5-7 overlaps 0-9 on line 1") == true)
    }

    @Test("the repository's shards.conf routes every ID to the local server")
    func repositoryFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("shards.conf").path
        let map = try ShardMap.load(from: path)
        let local = try ShardEndpoint(url: "redis://127.0.0.1:6379/0")
        #expect(map.ranges == [ShardRange(first: 0, last: Int64.max, endpoint: local)])
        #expect(map.gaps.isEmpty)
        #expect(map.route(0)?.endpoint == local)
        #expect(map.route(Int64.max)?.endpoint == local)
        #expect(map.rendered() == (try contents(path)))
    }
}
