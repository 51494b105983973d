import Delivery
import DaemonKit
import ArgumentParser
import FeedParsing
import Foundation

/// `hubdiffer parse`: what the daemon sees in a feed document.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse feed documents and print what HubDiffer sees in them.",
        discussion: """
            One FILE prints one JSON object: {"format", "title", "link", "entries": [{"id", "key", \
            "link", "title", "published", "updated", ...}], "warnings"}. Keys are 16 hex digits, \
            dates YYYY-MM-DDTHH:MM:SSZ (UTC), missing values null. Several files print one such \
            object a line, each with its "file".

            Exit status: 0 when every input was recognised as a feed (also when recovered from \
            damage, see "warnings"); 65 when an input is not a feed or was refused (one line on \
            standard error says why); 66 when a file cannot be read.

            Examples:
              hubdiffer parse feed.xml
              hubdiffer parse feed.xml --url https://example.com/blog/feed.xml
              curl -s https://example.com/feed | hubdiffer parse - --url https://example.com/feed
              hubdiffer parse --summary corpus/*
            """)

    @Argument(help: "Feed documents to parse; '-' reads standard input.")
    var files: [String]

    @Option(help: "The document's own URL: the base for relative links.")
    var url: String?

    @Flag(help: "Print no JSON; end with one line of counts and throughput.")
    var summary = false

    @Option(name: .customLong("repeat"), help: "With --summary: parse the whole set this many times (for profiling).")
    var repeatCount = 1

    @Option(help: "Refuse documents larger than this many bytes.")
    var maxBytes = ParserLimits().maxDocumentBytes

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one FILE (or '-' for standard input)") }
        guard (1...Int(Int32.max)).contains(maxBytes) else {
            throw ValidationError("--max-bytes must be between 1 and \(Int32.max)")
        }
    }

    /// A document (see ``DocumentFile``); one that cannot be read ends the command (66).
    private func read(_ path: String) throws -> [UInt8] {
        do { return try DocumentFile.read(path, limit: maxBytes) } catch {
            StandardError.line("\(error)")
            throw ExitCode(.noInput)
        }
    }

    func run() throws {
        let options = ParserOptions(documentURL: url, limits: ParserLimits(maxDocumentBytes: maxBytes))
        if summary {
            try runSummary(options: options)
            return
        }
        var failed = false
        for file in files {
            let bytes = try read(file)
            do {
                let feed = try FeedParser.parse(bytes, options: options)
                print(FeedJSON.document(feed, file: files.count > 1 ? file : nil))
            } catch {
                StandardError.line("\(file): \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(.dataError) }
    }

    private func runSummary(options: ParserOptions) throws {
        let documents = try files.map { ($0, try read($0)) }
        var failures = 0
        var entryCount = 0
        var byteCount = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<max(repeatCount, 1) {
            for (file, bytes) in documents {
                byteCount += bytes.count
                do {
                    entryCount += try FeedParser.parse(bytes, options: options).entries.count
                } catch {
                    failures += 1
                    StandardError.line("\(file): \(error)")
                }
            }
            }
        }
        let seconds = elapsed.inSeconds
        let rate = seconds > 0 ? Double(byteCount) / 1_000_000 / seconds : 0
        print(
            "parsed \(documents.count) feeds (\(failures) failed), \(entryCount) entries, \(byteCount) bytes in "
                + String(format: "%.3f s: %.1f MB/s", seconds, rate))
        if failures > 0 { throw ExitCode(.dataError) }
    }
}
