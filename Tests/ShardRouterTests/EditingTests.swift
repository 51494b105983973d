import Testing

@testable import ShardRouter

@Suite("Editing the shard map")
struct EditingTests {
    static let text = """
        # header

        # shard A
        0-99  redis://a   # first
        # shard B
        200-299 redis://:pw@b/1

        """

    static func map() throws(ShardMapError) -> ShardMap { try ShardMap(parsing: text) }
    static func endpoint(_ url: String) throws(ShardMapError) -> ShardEndpoint {
        try ShardEndpoint(url: url)
    }

    @Test("adding goes after the range before it, in canonical form; other lines unchanged")
    func addInMiddle() throws {
        let edited = try Self.map().adding(
            range: 100...199, endpoint: Self.endpoint("redis://b:6379/1"))
        #expect(
            edited.rendered() == """
                # header

                # shard A
                0-99  redis://a   # first
                100-199  redis://b:6379/1
                # shard B
                200-299 redis://:pw@b/1

                """)
        #expect(edited.route(150)?.endpoint == (try Self.endpoint("redis://b/1")))
        #expect(edited.lineNumber(of: 100...199) == 5)
    }

    @Test("adding at the end and before the first range (above its comments)")
    func addAtEnds() throws {
        let late = try Self.map().adding(
            range: 1_000...Int64.max, endpoint: Self.endpoint("redis://c"))
        #expect(late.rendered() == Self.text + "1000-9223372036854775807  redis://c:6379/0\n")

        let map = try ShardMap(
            parsing: "# header\n\n# shard A\n# more about A\n100-199 redis://a\n")
        let early = try map.adding(range: 0...99, endpoint: Self.endpoint("redis://z"))
        #expect(
            early.rendered()
                == "# header\n\n0-99  redis://z:6379/0\n# shard A\n# more about A\n100-199 redis://a\n"
        )
    }

    @Test("adding to a map without ranges, or without a final newline")
    func addToEmpty() throws {
        let empty = try ShardMap(parsing: "# nothing yet")
        let one = try empty.adding(range: 0...9, endpoint: Self.endpoint("redis://a"))
        #expect(one.rendered() == "# nothing yet\n0-9  redis://a:6379/0\n")
        let blank = try ShardMap(parsing: "").adding(
            range: 5...5, endpoint: Self.endpoint("redis://a"))
        #expect(blank.rendered() == "5-5  redis://a:6379/0\n")
        let unterminated = try ShardMap(parsing: "0-9 redis://a")
            .adding(range: 10...19, endpoint: Self.endpoint("redis://a"))
        #expect(unterminated.rendered() == "0-9 redis://a\n10-19  redis://a:6379/0\n")
    }

    @Test("an overlapping or negative addition is refused")
    func addRefused() throws {
        let map = try Self.map()
        let overlap = refusal { () throws(ShardMapError) in
            try map.adding(range: 150...250, endpoint: Self.endpoint("redis://c"))
        }
        #expect(
            overlap
                == .overlapsExisting(
                    file: "shards.conf", first: 150, last: 250, line: 6, otherFirst: 200,
                    otherLast: 299))
        #expect(
            overlap?.description
                == "cannot add 150-250: it overlaps 200-299 on line 6 of shards.conf: choose IDs in a gap, or split or remove 200-299 first"
        )
        let negative = refusal { () throws(ShardMapError) in
            try map.adding(range: -10...5, endpoint: Self.endpoint("redis://c"))
        }
        #expect(negative == .invalidBounds(first: -10, last: 5))
    }

    @Test("removing takes out exactly one line")
    func remove() throws {
        let edited = try Self.map().removing(range: 0...99)
        #expect(edited.rendered() == "# header\n\n# shard A\n# shard B\n200-299 redis://:pw@b/1\n")
        #expect(edited.route(50) == nil)
        #expect(edited.gaps.first == 0...199)
        let missing = refusal { () throws(ShardMapError) in try Self.map().removing(range: 0...50) }
        #expect(missing == .noSuchRange(file: "shards.conf", first: 0, last: 50))
        #expect(missing?.description.contains("has no range 0-50") == true)
    }

    @Test("splitting makes two lines on the same server, keeping the trailing comment")
    func split() throws {
        let edited = try Self.map().splitting(range: 0...99, at: 50)
        #expect(
            edited.rendered() == """
                # header

                # shard A
                0-49  redis://a:6379/0  # first
                50-99  redis://a:6379/0  # first
                # shard B
                200-299 redis://:pw@b/1

                """)
        #expect(edited.ranges.map(\.bounds) == [0...49, 50...99, 200...299])
        let atLast = try Self.map().splitting(range: 200...299, at: 299)
        #expect(atLast.ranges.map(\.bounds) == [0...99, 200...298, 299...299])
        #expect(atLast.ranges[2].endpoint.password == "pw")
        #expect(atLast.rendered().contains("299-299  redis://:pw@b:6379/1\n"))
    }

    @Test("a split point outside FIRST+1...LAST is refused")
    func splitRefused() throws {
        let map = try Self.map()
        for at: Int64 in [0, -1, 100, Int64.max] {
            let error = refusal { () throws(ShardMapError) in
                try map.splitting(range: 0...99, at: at)
            }
            #expect(
                error
                    == .splitPointOutside(file: "shards.conf", line: 4, first: 0, last: 99, at: at))
            #expect(error?.description.contains("must lie in 1-99") == true)
        }
        let single = try ShardMap(parsing: "7-7 redis://a\n")
        let error = refusal { () throws(ShardMapError) in try single.splitting(range: 7...7, at: 7)
        }
        #expect(
            error?.description
                == "shards.conf:1: cannot split 7-7: it holds a single ID; split a wider range")
    }

    @Test("merging adjacent ranges on one server, in either order")
    func merge() throws {
        let split = try Self.map().splitting(range: 0...99, at: 50)
        for (a, b) in [(0...49, 50...99), (50...99, 0...49)]
            as [(ClosedRange<Int64>, ClosedRange<Int64>)]
        {
            let merged = try split.merging(a, b)
            #expect(merged.ranges.map(\.bounds) == [0...99, 200...299])
            #expect(
                merged.rendered().contains(
                    "# shard A\n0-99  redis://a:6379/0  # first\n# shard B\n"))
        }
        let map = try ShardMap(parsing: "0-9 redis://a\n10-19 redis://a # upper\n")
        #expect(try map.merging(0...9, 10...19).rendered() == "0-19  redis://a:6379/0  # upper\n")
    }

    @Test("merging refuses gaps, different servers, a range with itself, unknown ranges")
    func mergeRefused() throws {
        let map = try ShardMap(parsing: "0-9 redis://a\n11-19 redis://a\n20-29 redis://b\n")
        #expect(
            refusal { () throws(ShardMapError) in try map.merging(0...9, 11...19) }
                == .notAdjacent(
                    file: "shards.conf", first: 0, last: 9, otherFirst: 11, otherLast: 19))
        let servers = refusal { () throws(ShardMapError) in try map.merging(20...29, 11...19) }
        #expect(
            servers
                == .differentServers(
                    file: "shards.conf", line: 2, first: 11, last: 19, otherLine: 3, otherFirst: 20,
                    otherLast: 29))
        #expect(servers?.description.contains("on different servers") == true)
        let itself = refusal { () throws(ShardMapError) in try map.merging(0...9, 0...9) }
        #expect(
            itself?.description
                == "shards.conf: cannot merge 0-9 with itself: name two neighbouring ranges")
        #expect(
            refusal { () throws(ShardMapError) in try map.merging(0...9, 10...10) }
                == .noSuchRange(file: "shards.conf", first: 10, last: 10))
    }

    @Test("setting moves a range to another server and keeps its comment")
    func set() throws {
        let moved = try Self.map().setting(
            range: 0...99, endpoint: Self.endpoint("redis://:new@c:7000/3"))
        #expect(moved.rendered().contains("\n0-99  redis://:new@c:7000/3  # first\n"))
        #expect(moved.route(0)?.endpoint.password == "new")
        // The server it already has: nothing changes, not even the spelling of the line.
        let same = try Self.map().setting(
            range: 200...299, endpoint: Self.endpoint("redis://:pw@B:6379/1"))
        #expect(same.rendered() == Self.text)
        #expect(
            refusal { () throws(ShardMapError) in
                try Self.map().setting(range: 100...199, endpoint: Self.endpoint("redis://c"))
            } == .noSuchRange(file: "shards.conf", first: 100, last: 199))
    }

    @Test("refused edits leave the map as it was")
    func refusedEditsChangeNothing() throws {
        let map = try Self.map()
        let c = try Self.endpoint("redis://c")
        let refused: [@Sendable (ShardMap) throws -> ShardMap] = [
            { try $0.adding(range: 50...150, endpoint: c) },
            { try $0.adding(range: Int64.min...0, endpoint: c) },
            { try $0.removing(range: 1...99) },
            { try $0.splitting(range: 0...99, at: 0) },
            { try $0.merging(0...99, 200...299) },
            { try $0.setting(range: 0...100, endpoint: c) },
        ]
        for edit in refused {
            let error = anyRefusal { try edit(map) }
            #expect(error != nil)
            #expect(map.rendered() == Self.text)
            #expect(map == (try Self.map()))
        }
    }

    @Test("a CRLF file gets CRLF edited lines")
    func crlfEdits() throws {
        let map = try ShardMap(parsing: "# c\r\n0-99 redis://a\r\n")
        let edited = try map.splitting(range: 0...99, at: 10)
        #expect(edited.rendered() == "# c\r\n0-9  redis://a:6379/0\r\n10-99  redis://a:6379/0\r\n")
        #expect(try ShardMap(parsing: edited.rendered()).ranges == edited.ranges)
    }

    @Test("a chain of edits renders a file that parses back to the same map")
    func chain() throws {
        let b = try Self.endpoint("redis://:p%40ss@b:6380/2")
        var map = try Self.map()
        map = try map.adding(range: 100...199, endpoint: b)
        map = try map.splitting(range: 200...299, at: 250)
        map = try map.setting(range: 200...249, endpoint: b)
        map = try map.merging(200...249, 100...199).adding(range: 300...Int64.max, endpoint: b)
        #expect(map.ranges.map(\.bounds) == [0...99, 100...249, 250...299, 300...Int64.max])
        #expect(map.endpoints.count == 3)
        let reparsed = try ShardMap(parsing: map.rendered())
        #expect(reparsed.ranges == map.ranges)
        #expect(reparsed.rendered() == map.rendered())
    }
}
