import ShardRouter
import Testing

@Suite("Feed ID ranges and map digests")
struct FleetTextTests {
    @Test("--feed-ids: ranges and single IDs, sorted and merged; membership at the edges")
    func feedIDRanges() throws {
        let ranges = try FeedIDRanges(parsing: "500-999, 0-499,2000,1500-1999,9223372036854775807")
        #expect(ranges.ranges == [0...999, 1500...2000, Int64.max...Int64.max])
        #expect(ranges.description == "0-999,1500-2000,9223372036854775807-9223372036854775807")
        for id: Int64 in [0, 999, 1500, 2000, .max] { #expect(ranges.contains(id), "\(id)") }
        for id: Int64 in [1000, 1499, 2001, .max - 1] { #expect(!ranges.contains(id), "\(id)") }
        #expect(throws: ShardRangeTextProblem.self) { try FeedIDRanges(parsing: "10-5") }
        #expect(throws: ShardRangeTextProblem.self) { try FeedIDRanges(parsing: "0-99,abc") }
    }

    @Test("the map digest follows routing: not comments, spacing or passwords")
    func digest() throws {
        let plain = try ShardMap(parsing: "0-499 redis://10.0.0.1:6379/0\n500-999 redis://10.0.0.2/1\n")
        let noisy = try ShardMap(parsing: "# servers\n0-499   redis://:secret@10.0.0.1/0\n\n500-999 redis://10.0.0.2:6379/1  # b\n")
        let moved = try ShardMap(parsing: "0-499 redis://10.0.0.3:6379/0\n500-999 redis://10.0.0.2/1\n")
        let split = try ShardMap(parsing: "0-99 redis://10.0.0.1/0\n100-499 redis://10.0.0.1/0\n500-999 redis://10.0.0.2/1\n")
        #expect(plain.digest == noisy.digest)
        #expect(plain.digest == split.digest)
        #expect(plain.digest != moved.digest)
        #expect(plain.digest.count == 16)
    }
}
