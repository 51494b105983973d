import Foundation
import Testing

@testable import ShardRouter

@Suite("Passwords never show")
struct RedactionTests {
    /// The password used everywhere below; any of these pieces in a message is a leak.
    static let password = "S3cr3t/Pa@ss#w:rd"
    static let encoded = "S3cr3t%2FPa%40ss%23w%3Ard"
    static let leaks = ["S3cr3t", "cr3t", "Pa@ss", "Pa%40ss", "w:rd", "w%3Ard"]

    /// Every way a value can be turned into text.
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var texts = [String(describing: value), String(reflecting: value), "\(value)", dumped]
        if let value = value as? CustomDebugStringConvertible {
            texts.append(value.debugDescription)
        }
        if let value = value as? CustomStringConvertible { texts.append(value.description) }
        return texts
    }

    static func leaked(in text: String) -> [String] { leaks.filter { text.contains($0) } }

    /// Bad lines holding the password in every place a malformed URL can put it.
    static let badLines = [
        "0-99 http://:\(encoded)@h",
        "0-99 S3cr3t://h",
        "0-99 redis://:\(encoded)@",
        "0-99 redis://:\(encoded)@h:",
        "0-99 redis://:\(encoded)@h:S3cr3t",
        "0-99 redis://:\(encoded)@h:70000",
        "0-99 redis://:\(encoded)@h/S3cr3t",
        "0-99 redis://:\(encoded)@h/99",
        "0-99 redis://user:\(encoded)@h",
        "0-99 redis://\(encoded)@h",
        "0-99 redis://:\(encoded)%zz@h",
        "0-99 redis://:\(encoded)@h?password=S3cr3t",
        "0-99 redis://:\(password)@h",  // raw '#', '/' and '@'
        "0-99 redis://:S3/cr3t@h:1/2",
        "0-99 redis://:S3cr3t:1/cr3t@h",
        "0-99 redis://:\(encoded)@h$",
        "0-99 redis://:\(encoded)@[h",
        "0-99 redis://:\(encoded)@h:1:2",
        "0-99 redis://:\u{7}\(encoded)@h",
        "0-99 redis://:S3 cr3t@h",
        "0-99 redis://:\(encoded)@h S3cr3t",
        "S3cr3t-99 redis://:\(encoded)@h",
        "0-S3cr3t redis://h",
        "cr3t redis://:\(encoded)@h",
        "redis://:\(encoded)@h 0-99",
        "200-100 redis://:\(encoded)@h",
        "0-99999999999999999999 redis://:\(encoded)@h",
        "-5-10 redis://:\(encoded)@h",
        "0-99",
    ]

    /// All the errors this test can provoke, from real parsing, URLs, edits, files and locks.
    static func provokedErrors() throws -> [ShardMapError] {
        var errors: [ShardMapError] = []
        for line in badLines {
            let text = "# c\n\(line)\n"
            errors += ShardMap.problems(in: text)
            if let error = refusal({ () throws(ShardMapError) in try ShardMap(parsing: text) }) {
                errors.append(error)
            }
            let url = line.split(separator: " ").dropFirst().first.map(String.init) ?? line
            if let error = refusal({ () throws(ShardMapError) in try ShardEndpoint(url: url) }) {
                errors.append(error)
            }
        }
        // Whole-map problems between lines that hold the password.
        let secret = "redis://:\(encoded)@h"
        errors += ShardMap.problems(in: "0-99 \(secret)\n50-150 \(secret)\n0-99 \(secret)\n")

        // Edits of a map whose servers have passwords.
        let map = try ShardMap(
            parsing: "0-99 \(secret)\n100-199 redis://:\(encoded)@other\n300-300 \(secret)\n")
        let endpoint = try ShardEndpoint(url: secret)
        let edits: [@Sendable (ShardMap) throws -> ShardMap] = [
            { try $0.adding(range: 50...60, endpoint: endpoint) },
            { try $0.adding(range: -1...60, endpoint: endpoint) },
            { try $0.removing(range: 1...2) },
            { try $0.splitting(range: 0...99, at: 0) },
            { try $0.splitting(range: 300...300, at: 300) },
            { try $0.merging(0...99, 300...300) },
            { try $0.merging(0...99, 0...99) },
            { try $0.merging(0...99, 100...199) },
            { try $0.setting(range: 5...6, endpoint: endpoint) },
        ]
        for edit in edits {
            if let error = anyRefusal({ try edit(map) }) { errors.append(error) }
        }

        // Files and the lock.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("shards.conf")
        try map.write(to: path)
        errors += [
            refusal { () throws(ShardMapError) in try ShardMap.load(from: directory.file("missing"))
            },
            refusal { () throws(ShardMapError) in try map.write(to: directory.file("no/such/dir"))
            },
        ].compactMap { $0 }
        _ = FileManager.default.createFile(
            atPath: directory.file("latin1"), contents: Data([0x23, 0xE9, 0x0A]))
        errors += [
            refusal { () throws(ShardMapError) in try ShardMap.load(from: directory.file("latin1"))
            }
        ]
        .compactMap { $0 }
        try ShardMap.withExclusiveLock(path: path) {
            do {
                try ShardMap.withExclusiveLock(path: path) {}
            } catch let error as ShardMapError {
                errors.append(error)
            }
        }
        do {
            try ShardMap.withExclusiveLock(path: directory.file("no/such/dir")) {}
        } catch let error as ShardMapError {
            errors.append(error)
        }
        return errors
    }

    /// The name of an error's case, from reflection (every case has a payload).
    static func caseName(_ error: ShardMapError) -> String {
        Mirror(reflecting: error).children.first?.label ?? "?"
    }

    /// The name of a URL problem's case. The switch is exhaustive: a new case does not
    /// compile until it is named here (and then it must be provoked below).
    static func caseName(_ problem: ShardURLProblem) -> String {
        switch problem {
        case .unsupportedScheme: "unsupportedScheme"
        case .forbiddenCharacter: "forbiddenCharacter"
        case .queryOrFragment: "queryOrFragment"
        case .userName: "userName"
        case .emptyPassword: "emptyPassword"
        case .badPasswordEscape: "badPasswordEscape"
        case .missingHost: "missingHost"
        case .invalidHost: "invalidHost"
        case .emptyPort: "emptyPort"
        case .invalidPort: "invalidPort"
        case .portOutOfRange: "portOutOfRange"
        case .invalidDatabase: "invalidDatabase"
        case .databaseOutOfRange: "databaseOutOfRange"
        }
    }

    @Test("no error message holds the password, and every kind of error was checked")
    func errors() throws {
        let errors = try Self.provokedErrors()
        for error in errors {
            for text in Self.renderings(error) {
                #expect(Self.leaked(in: text).isEmpty, "\(Self.caseName(error)) leaks: \(text)")
            }
        }
        let covered = Set(errors.map { Self.caseName($0) })
        let allErrorCases: Set<String> = [
            "missingURL", "malformedRange", "malformedNumber", "idOutOfRange", "reversedRange",
            "overlappingRanges", "duplicateRange", "invalidURL", "unexpectedText", "notUTF8",
            "invalidEndpoint", "invalidBounds", "overlapsExisting", "noSuchRange",
            "splitPointOutside", "notAdjacent", "differentServers", "cannotRead", "cannotWrite",
            "lockHeld", "cannotLock",
        ]
        #expect(
            allErrorCases.subtracting(covered).isEmpty,
            "not provoked: \(allErrorCases.subtracting(covered))")

        let problems: [ShardURLProblem] = errors.compactMap {
            switch $0 {
            case .invalidURL(_, _, let problem), .invalidEndpoint(let problem): return problem
            default: return nil
            }
        }
        let allProblems: Set<String> = [
            "unsupportedScheme", "forbiddenCharacter", "queryOrFragment", "userName",
            "emptyPassword", "badPasswordEscape", "missingHost", "invalidHost", "emptyPort",
            "invalidPort", "portOutOfRange", "invalidDatabase", "databaseOutOfRange",
        ]
        let coveredProblems = Set(problems.map { Self.caseName($0) })
        // `emptyPassword` cannot hold a password; provoke it separately.
        let empty = refusal { () throws(ShardMapError) in try ShardEndpoint(url: "redis://:@h") }
        #expect(empty == .invalidEndpoint(problem: .emptyPassword))
        #expect(
            allProblems.subtracting(coveredProblems).subtracting(["emptyPassword"]).isEmpty,
            "not provoked: \(allProblems.subtracting(coveredProblems))")
    }

    @Test("descriptions of endpoints, ranges and maps show *** instead of the password")
    func descriptions() throws {
        let url = "redis://:\(Self.encoded)@cache:7000/3"
        let map = try ShardMap(parsing: "0-99 \(url)  # primary\n100-199 redis://plain\n")
        let endpoint = try ShardEndpoint(url: url)
        #expect(endpoint.password == Self.password)
        #expect(endpoint.url == url)  // kept for connecting
        #expect(endpoint.redactedURL == "redis://:***@cache:7000/3")
        #expect(endpoint.description == "redis://:***@cache:7000/3")
        #expect(map.ranges[0].description == "0-99  redis://:***@cache:7000/3")
        #expect(map.debugDescription.contains("0-99  redis://:***@cache:7000/3"))

        let values: [Any] = [
            endpoint, map.ranges[0], map, map.ranges, map.endpoints, Optional(endpoint) as Any,
        ]
        for value in values {
            for text in Self.renderings(value) {
                #expect(Self.leaked(in: text).isEmpty, "leaks: \(text)")
                #expect(text.contains("***") || text.contains("ranges on"), "\(text)")
            }
        }
        // The file text is the one place the password must be: it is the configuration.
        #expect(map.rendered().contains(Self.encoded))
    }
}
