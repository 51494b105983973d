import Testing

@testable import ShardRouter

@Suite("Routing feed IDs", .ownThread(nice: 19))
struct RoutingTests {
    static let text = """
        300-399 redis://a
        0-99    redis://a
        100-199 redis://b
        9223372036854775000-9223372036854775807 redis://c:7000/1

        """

    @Test("IDs at range edges route to their range, IDs in gaps are unrouted")
    func edges() throws {
        let map = try ShardMap(parsing: Self.text)
        let a = try ShardEndpoint(url: "redis://a")
        let b = try ShardEndpoint(url: "redis://b")
        let c = try ShardEndpoint(url: "redis://c:7000/1")
        let expected: [(Int64, ShardEndpoint?)] = [
            (0, a), (99, a), (100, b), (199, b), (200, nil), (299, nil), (300, a), (399, a),
            (400, nil), (9_223_372_036_854_774_999, nil), (9_223_372_036_854_775_000, c),
            (Int64.max, c), (-1, nil), (Int64.min, nil),
        ]
        for (id, endpoint) in expected {
            #expect(map.route(id)?.endpoint == endpoint, "feed \(id)")
        }
        #expect(map.route(150)?.bounds == 100...199)
    }

    @Test("endpoints are distinct, in range order; gaps are what no range covers")
    func endpointsAndGaps() throws {
        let map = try ShardMap(parsing: Self.text)
        #expect(
            map.endpoints.map(\.redactedURL) == [
                "redis://a:6379/0", "redis://b:6379/0", "redis://c:7000/1",
            ])
        #expect(map.gaps == [200...299, 400...9_223_372_036_854_774_999])
        let full = try ShardMap(parsing: "5-9223372036854775807 redis://a\n")
        #expect(full.gaps == [0...4])
        #expect(try ShardMap(parsing: "0-9223372036854775807 redis://a\n").gaps.isEmpty)
    }

    @Test("lineNumber(of:) finds a range by its exact bounds")
    func lineNumbers() throws {
        let map = try ShardMap(parsing: Self.text)
        #expect(map.lineNumber(of: 0...99) == 2)
        #expect(map.lineNumber(of: 300...399) == 1)
        #expect(map.lineNumber(of: 0...98) == nil)
        #expect(map.lineNumber(of: 200...299) == nil)
    }

    /// Non-overlapping ranges, some adjacent and some with gaps, at a random scale.
    static func randomRanges(count: Int, using generator: inout SeededGenerator) -> [(Int64, Int64)]
    {
        guard count > 0 else { return [] }
        let scale: Int64 = [10, 1_000, 1 << 40, Int64.max / Int64(2 * count + 2)].randomElement(
            using: &generator)!
        var ranges: [(Int64, Int64)] = []
        var next: Int64 = Int64.random(in: 0...scale, using: &generator)
        for _ in 0..<count {
            let gap =
                Bool.random(using: &generator) ? 0 : Int64.random(in: 1...scale, using: &generator)
            let first = next + gap
            let last = first + Int64.random(in: 0...scale - 1, using: &generator)
            ranges.append((first, last))
            next = last + 1
        }
        if Bool.random(using: &generator), let last = ranges.last {
            ranges[ranges.count - 1] = (last.0, Int64.max)  // sometimes reach the very last ID
        }
        return ranges
    }

    @Test("binary-search routing equals a linear scan on random maps", arguments: 0..<10)
    func property(seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &* 0x1234_5678_9ABC_DEF1)
        let count = [0, 1, 2, 1_000, Int.random(in: 3...1_000, using: &generator)][seed % 5]
        let truth = Self.randomRanges(count: count, using: &generator)
        let servers = ["redis://a", "redis://b:7000/1", "redis://:pw@c", "redis://[::1]/2"]
        var lines = truth.map { "\($0.0)-\($0.1)  \(servers.randomElement(using: &generator)!)" }
        lines += ["# a comment", "", "   # another"]
        lines.shuffle(using: &generator)
        let map = try ShardMap(parsing: lines.joined(separator: "\n") + "\n")
        #expect(map.ranges.map(\.bounds) == truth.map { $0.0...$0.1 })

        var ids: [Int64] = []
        for _ in 0..<10_000 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                ids.append(Int64.random(in: Int64.min...Int64.max, using: &generator))
            case 1 where !truth.isEmpty:
                let span =
                    truth.first!.0...(truth.last!.1 == Int64.max ? Int64.max : truth.last!.1 + 1)
                ids.append(Int64.random(in: span, using: &generator))
            case 2 where !truth.isEmpty:
                let (first, last) = truth.randomElement(using: &generator)!
                let edges = [first, last, first &- 1, last == Int64.max ? last : last + 1]
                ids.append(edges.randomElement(using: &generator)!)
            default:
                ids.append(Int64.random(in: -5...5_000, using: &generator))
            }
        }
        var mismatches: [Int64] = []
        for id in ids {
            let linear = map.ranges.first { $0.first <= id && id <= $0.last }
            let expected = truth.contains { $0.0 <= id && id <= $0.1 }
            if map.route(id) != linear || (linear != nil) != expected { mismatches.append(id) }
        }
        #expect(
            mismatches.count == 0, "seed \(seed), \(count) ranges, e.g. \(mismatches.prefix(5))")
    }
}
