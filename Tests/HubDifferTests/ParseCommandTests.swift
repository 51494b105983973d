import Foundation
import Testing
import TestSupport

/// `hubdiffer parse`, run as the built executable: what a user sees.
@Suite("hubdiffer parse", .ownThread)
struct ParseCommandTests {
    /// The `hubdiffer` built beside this test bundle (any build folder), else in `.build`.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("hubdiffer")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for configuration in ["debug", "release"] {
            let candidate = root.appendingPathComponent(".build/\(configuration)/hubdiffer")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/hubdiffer")
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe.closingOnExec()
        let errors = Pipe.closingOnExec()
        let stdin = Pipe.closingOnExec()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    static let feed = """
        <?xml version="1.0"?>
        <rss version="2.0"><channel><title>Café "news"</title><link>https://example.com/</link>
        <item><title>First &amp; best</title><link>/posts/1</link><guid isPermaLink="false">p1</guid>
        <pubDate>Mon, 02 Feb 2026 10:00:00 +0100</pubDate><description><![CDATA[<p>Hi</p>]]></description></item>
        <item><title>Second</title><link>https://example.com/posts/2</link></item>
        </channel></rss>
        """

    @Test("one document from standard input prints one JSON object with the documented fields")
    func oneDocument() throws {
        let run = try Self.run(["parse", "-", "--url", "https://example.com/feed.xml"], input: Self.feed)
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "rss20")
        #expect(object["title"] as? String == "Café \"news\"")
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(entries[0]["id"] as? String == "p1")
        #expect(entries[0]["link"] as? String == "https://example.com/posts/1")
        #expect(entries[0]["title"] as? String == "First & best")
        #expect(entries[0]["published"] as? String == "2026-02-02T09:00:00Z")
        #expect(entries[0]["summary"] as? String == "<p>Hi</p>")
        #expect(entries[1]["id"] is NSNull)
        #expect(entries[1]["updated"] is NSNull)
        for entry in entries {
            let key = try #require(entry["key"] as? String)
            #expect(key.count == 16 && key.allSatisfy(\.isHexDigit))
        }
    }

    @Test("an HTML page exits 65 with one line on standard error")
    func notAFeed() throws {
        let run = try Self.run(["parse", "-"], input: "<!DOCTYPE html><html><body>hello</body></html>")
        #expect(run.status == 65)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("not a feed"))
    }

    @Test("an empty input exits 65; a missing file exits 66")
    func emptyAndMissing() throws {
        #expect(try Self.run(["parse", "-"], input: "").status == 65)
        let missing = try Self.run(["parse", "/nonexistent/feed.xml"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot open"))
    }

    @Test("--summary ends with the counts line")
    func summary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hubdiffer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.xml")
        let bad = directory.appendingPathComponent("bad.html")
        try Data(Self.feed.utf8).write(to: good)
        try Data("<html></html>".utf8).write(to: bad)
        let run = try Self.run(["parse", "--summary", good.path, good.path, bad.path])
        #expect(run.status == 65)
        let last = try #require(run.stdout.split(separator: "\n").last.map(String.init))
        #expect(last.hasPrefix("parsed 3 feeds (1 failed), 4 entries, "))
        #expect(last.hasSuffix(" MB/s"))
    }

    @Test("--help shows an example")
    func help() throws {
        let run = try Self.run(["parse", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("hubdiffer parse feed.xml"))
    }
}
