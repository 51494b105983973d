import Testing

@testable import ShardRouter

/// `FIRST-LAST` and feed IDs, read one way for the file and for the command line.
@Suite("Range text")
struct RangeTextTests {
    @Test("two IDs joined by '-' make a range; the problems say what to write, never a password")
    func bounds() throws {
        #expect(try ShardRangeText.bounds("0-9223372036854775807") == 0...Int64.max)
        #expect(try ShardRangeText.bounds("7-7") == 7...7)
        let cases: [(String, ShardRangeTextProblem)] = [
            ("-5-10", .negativeID("-5")), ("5--10", .negativeID("-10")), ("100", .notARange("100")),
            ("pa55word", .notARange(nil)), ("1x-5", .notDigits(nil)), ("1,0-5", .notDigits("1,0")),
            ("0-99999999999999999999", .tooLarge("99999999999999999999")), ("9-1", .reversed(first: 9, last: 1)),
            ("", .notARange("")),
        ]
        for (text, problem) in cases {
            #expect(throws: problem, "\(text)") { try ShardRangeText.bounds(text) }
        }
        #expect("\(ShardRangeTextProblem.reversed(first: 9, last: 1))".contains("write it as 1-9"))
        #expect("\(ShardRangeTextProblem.notARange(nil))".contains("not shown"))
    }

    @Test("a feed ID alone is digits up to Int64.max")
    func feedIDs() throws {
        #expect(try ShardRangeText.feedID("42") == 42)
        #expect(throws: ShardRangeTextProblem.notDigits("")) { try ShardRangeText.feedID("") }
        #expect(throws: ShardRangeTextProblem.notDigits("+1")) { try ShardRangeText.feedID("+1") }
        #expect(throws: ShardRangeTextProblem.tooLarge("9223372036854775808")) { try ShardRangeText.feedID("9223372036854775808") }
    }

    @Test("a Redis URL with a query, for a sink: the parts after the authority are the caller's")
    func redisURLs() throws {
        let url = try RedisURL(parsing: "REDIS://:p%40ss@[::1]:6380/hub%2Fkey?maxlen=5", allowingQuery: true)
        #expect(url.host == "::1" && url.port == 6380 && url.password == "p@ss")
        #expect(url.path == "/hub%2Fkey" && url.query == "maxlen=5")
        #expect(throws: ShardURLProblem.queryOrFragment) { try RedisURL(parsing: "redis://h/0?x=1", allowingQuery: false) }
        #expect(throws: ShardURLProblem.queryOrFragment) { try RedisURL(parsing: "redis://h/k#x", allowingQuery: true) }
        #expect(throws: ShardURLProblem.invalidHost) { try RedisURL(parsing: "redis://::1/k", allowingQuery: true) }
    }
}
