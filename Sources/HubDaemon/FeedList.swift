import Foundation
import Scheduler

/// The feeds file: one `FEED_ID URL [SECONDS]` a line; `#` starts a comment; blank lines are
/// skipped. SECONDS pins the feed's interval (otherwise it adapts).
public enum FeedList {
    /// Why a feeds file was refused: the first problem, with its line, and how many there were.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Pinned intervals a feed may have, in seconds (a year at most).
    public static let intervalRange = 1...31_536_000
    /// What `intervalRange` asks, as said to whoever gave another.
    public static let intervalRule = "SECONDS must be a whole number of seconds from \(intervalRange.lowerBound) to \(intervalRange.upperBound)"

    /// Why `url` cannot be a feed's URL (nil: it can): the rule of the feeds file and of
    /// `PUT /feeds/{id}` alike.
    public static func refusal(url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.utf8.count > 8 else {
            return "the URL must start with http:// or https://"
        }
        guard !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return "the URL must not hold spaces or control characters (percent-encode them)"
        }
        return nil
    }

    public static func load(_ path: String) throws(Problem) -> [ScheduledFeed] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "\(path): cannot be read: check the path (--feeds FILE) and its permissions")
        }
        return try parse([UInt8](data), name: path)
    }

    /// The feeds of `bytes`; with `only`, just the lines of those feeds (others are skipped
    /// unread past their ID).
    public static func parse(_ bytes: [UInt8], name: String, only: Set<Int64>? = nil) throws(Problem) -> [ScheduledFeed] {
        var feeds: [ScheduledFeed] = []
        var seen: [Int64: Int] = [:]
        var problems: [String] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
            let words = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            if words.isEmpty { continue }
            func problem(_ text: String) { problems.append("\(name):\(lineNumber): \(text)") }
            guard words.count == 2 || words.count == 3 else {
                problem("expected `FEED_ID URL [SECONDS]`, found \(words.count) words")
                continue
            }
            guard let id = Int64(String(decoding: words[0], as: UTF8.self)), id >= 0 else {
                problem("the feed ID must be a number from 0 to \(Int64.max)")
                continue
            }
            if let only, !only.contains(id) { continue }
            let url = String(decoding: words[1], as: UTF8.self)
            if let refusal = refusal(url: url) {
                problem("feed \(id): \(refusal)")
                continue
            }
            var interval: Duration?
            if words.count == 3 {
                guard let seconds = Int(String(decoding: words[2], as: UTF8.self)), intervalRange.contains(seconds) else {
                    problem("feed \(id): \(intervalRule)")
                    continue
                }
                interval = .seconds(seconds)
            }
            if let earlier = seen[id] {
                problem("feed \(id) is listed again (first on line \(earlier)): give each feed one line")
                continue
            }
            seen[id] = lineNumber
            feeds.append(ScheduledFeed(id: id, url: url, interval: interval))
        }
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more problems)" : ""
            throw Problem(description: first + more)
        }
        return feeds
    }
}
