import Foundation
import Testing

@testable import ShardRouter

@Suite("Refusing bad shard maps")
struct RefusalTests {
    /// One bad line and what it is refused for (the file name and line filled in).
    struct Case: Sendable, CustomTestStringConvertible {
        let line: String
        let expected: @Sendable (String, Int) -> ShardMapError
        var testDescription: String { line.debugDescription }

        init(_ line: String, _ expected: @escaping @Sendable (String, Int) -> ShardMapError) {
            self.line = line
            self.expected = expected
        }

        init(_ line: String, url problem: ShardURLProblem) {
            self.init(line) { .invalidURL(file: $0, line: $1, problem: problem) }
        }
    }

    static let cases: [Case] = [
        Case("100 redis://h") { .malformedRange(file: $0, line: $1, text: "100") },
        Case("0 - 99 redis://h") { .malformedRange(file: $0, line: $1, text: "0") },
        Case("redis://:pw@h 0-99") { .malformedRange(file: $0, line: $1, text: nil) },
        Case("0-99-199 redis://h") { .malformedRange(file: $0, line: $1, text: "0-99-199") },
        Case("1,000-2000 redis://h") { .malformedNumber(file: $0, line: $1, text: "1,000") },
        Case("12a-20 redis://h") { .malformedNumber(file: $0, line: $1, text: nil) },
        Case("+5-20 redis://h") { .malformedNumber(file: $0, line: $1, text: "+5") },
        Case("0-9223372036854775808 redis://h") {
            .idOutOfRange(file: $0, line: $1, text: "9223372036854775808")
        },
        Case("-5-10 redis://h") { .idOutOfRange(file: $0, line: $1, text: "-5") },
        Case("5--10 redis://h") { .idOutOfRange(file: $0, line: $1, text: "-10") },
        Case("200-100 redis://h") { .reversedRange(file: $0, line: $1, first: 200, last: 100) },
        Case("0-99") { .missingURL(file: $0, line: $1) },
        Case("0-99   # where does it go?") { .missingURL(file: $0, line: $1) },
        Case("0-99 redis://h extra") { .unexpectedText(file: $0, line: $1, column: 16) },
        Case("0-99 redis://h/0# no space", url: .queryOrFragment),
        Case("0-99 redis://h?db=1", url: .queryOrFragment),
        Case("0-99 http://h", url: .unsupportedScheme(found: "http")),
        Case("0-99 REDISS://h", url: .unsupportedScheme(found: "rediss")),
        Case("0-99 h:6379", url: .unsupportedScheme(found: nil)),
        Case("0-99 hunter2://h", url: .unsupportedScheme(found: nil)),
        Case("0-99 redis://", url: .missingHost),
        Case("0-99 redis://:6379", url: .missingHost),
        Case("0-99 redis:///0", url: .missingHost),
        Case("0-99 redis://ho$t", url: .invalidHost),
        Case("0-99 redis://[::1", url: .invalidHost),
        Case("0-99 redis://[host]:1", url: .invalidHost),
        Case("0-99 redis://h:1:2", url: .invalidHost),
        Case("0-99 redis://h:", url: .emptyPort),
        Case("0-99 redis://h:63x9", url: .invalidPort),
        Case("0-99 redis://h:0", url: .portOutOfRange("0")),
        Case("0-99 redis://h:65536", url: .portOutOfRange("65536")),
        Case("0-99 redis://h/16", url: .databaseOutOfRange("16")),
        Case("0-99 redis://h/x", url: .invalidDatabase),
        Case("0-99 redis://h/1/2", url: .invalidDatabase),
        Case("0-99 redis://user:pw@h", url: .userName),
        Case("0-99 redis://pw@h", url: .userName),
        Case("0-99 redis://:@h", url: .emptyPassword),
        Case("0-99 redis://:%zz@h", url: .badPasswordEscape),
        Case("0-99 redis://:%4@h", url: .badPasswordEscape),
        Case("0-99 redis://:%ff@h", url: .badPasswordEscape),
        Case("0-99 redis://\u{7}h", url: .forbiddenCharacter),
    ]

    @Test("each bad line is refused with its line number", arguments: cases)
    func refusesLine(_ testCase: Case) {
        let text = "# header\n\n# the bad line is line 4\n\(testCase.line)\n5000-6000 redis://ok\n"
        let error = refusal { () throws(ShardMapError) in try ShardMap(parsing: text) }
        #expect(error == testCase.expected("shards.conf", 4))
        #expect(error?.line == 4)
        #expect(error?.description.hasPrefix("shards.conf:4: ") == true)
        #expect(ShardMap.problems(in: text) == [testCase.expected("shards.conf", 4)])
    }

    @Test("an overlap names both lines and says what to do")
    func overlap() {
        let text = """
            # 1
            # 2
            # 3
            150-300 redis://a
            # 5
            # 6
            100-200 redis://b

            """
        let error = refusal { () throws(ShardMapError) in try ShardMap(parsing: text) }
        #expect(
            error?.description
                == "shards.conf:7: range 100-200 overlaps 150-300 on line 4: split or shrink one of them"
        )
        #expect(
            error
                == .overlappingRanges(
                    file: "shards.conf", line: 7, first: 100, last: 200, otherLine: 4,
                    otherFirst: 150,
                    otherLast: 300))
    }

    @Test("a range inside another, and one touching a single ID, overlap too")
    func containedAndTouching() {
        let inside = refusal { () throws(ShardMapError) in
            try ShardMap(parsing: "0-1000 redis://a\n10-20 redis://a\n")
        }
        #expect(inside?.line == 2)
        let touching = refusal { () throws(ShardMapError) in
            try ShardMap(parsing: "100-200 redis://a\n0-100 redis://b\n")
        }
        #expect(
            touching
                == .overlappingRanges(
                    file: "shards.conf", line: 2, first: 0, last: 100, otherLine: 1,
                    otherFirst: 100,
                    otherLast: 200))
        // Adjacent is not overlapping.
        #expect(throws: Never.self) { try ShardMap(parsing: "100-200 redis://a\n0-99 redis://b\n") }
    }

    @Test("a duplicated line is refused on its second occurrence")
    func duplicate() {
        let text = "# map\n0-99 redis://a\n100-199 redis://b\n\n0-99 redis://a\n"
        let error = refusal { () throws(ShardMapError) in try ShardMap(parsing: text) }
        #expect(
            error == .duplicateRange(file: "shards.conf", line: 5, first: 0, last: 99, otherLine: 2)
        )
        #expect(
            error?.description
                == "shards.conf:5: range 0-99 repeats line 2: delete one of the two lines")
    }

    @Test("problems(in:) lists every bad line, in line order")
    func allProblems() {
        let text = """
            0-99 redis://a
            200-100 redis://a
            50-60 redis://a
            300-400 ftp://a
            0-99 redis://a
            400-500 redis://a

            """
        let problems = ShardMap.problems(in: text, fileName: "x.conf")
        #expect(problems.map(\.line) == [2, 3, 4, 5])  // line 6 would overlap only the bad line 4
        #expect(problems[0] == .reversedRange(file: "x.conf", line: 2, first: 200, last: 100))
        #expect(
            problems[2]
                == .invalidURL(file: "x.conf", line: 4, problem: .unsupportedScheme(found: nil)))
        #expect(
            problems[3]
                == .duplicateRange(file: "x.conf", line: 5, first: 0, last: 99, otherLine: 1))
        #expect(ShardMap.problems(in: "0-9 redis://a\n").isEmpty)
        // The initializer throws the first of them.
        let first = refusal { () throws(ShardMapError) in
            try ShardMap(parsing: text, fileName: "x.conf")
        }
        #expect(first == problems[0])
    }

    @Test("a file that is not UTF-8 is refused with the line of the first bad byte")
    func notUTF8() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        let bytes = Array("# ok\n0-9 redis://h\n# caf".utf8) + [0xE9] + Array("\n".utf8)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let error = refusal { () throws(ShardMapError) in try ShardMap.load(from: path) }
        #expect(error == .notUTF8(file: path, line: 3))
        #expect(error?.description.hasPrefix("\(path):3: ") == true)
    }

    @Test("messages say what to do next")
    func messagesGiveAdvice() {
        let samples: [ShardMapError] = [
            .reversedRange(file: "f", line: 1, first: 200, last: 100),
            .missingURL(file: "f", line: 1),
            .invalidURL(file: "f", line: 1, problem: .portOutOfRange("70000")),
            .idOutOfRange(file: "f", line: 1, text: "-5"),
        ]
        #expect(samples[0].description.hasSuffix("write it as 100-200"))
        #expect(samples[1].description.contains("redis://127.0.0.1:6379/0"))
        #expect(samples[2].description.contains("write a port from 1 to 65535"))
        #expect(samples[3].description.contains("use IDs from 0 to 9223372036854775807"))
    }
}
