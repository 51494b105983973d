import Foundation

/// How the `feeds` subcommands show the daemon's JSON to people: times in UTC with how long
/// ago or ahead, spans in the largest units, values that may be null.
struct FeedsText {
    /// The time the texts are relative to.
    let now: Date

    init(now: Date = Date()) { self.now = now }

    /// `2026-12-02 15:20:54 UTC (in 4 min)` for an RFC 3339 time; the text as given when it
    /// is not one.
    func time(_ text: String) -> String {
        guard let date = Self.date(text) else { return text }
        return "\(Self.utcText(date)) (\(relative(date)))"
    }

    /// `in 4 min`, `12 s ago`, `now`; the text as given when it is not an RFC 3339 time.
    func relative(_ text: String) -> String {
        Self.date(text).map(relative) ?? text
    }

    func relative(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince(now).rounded())
        if seconds == 0 { return "now" }
        return seconds > 0 ? "in \(Self.span(seconds))" : "\(Self.span(-seconds)) ago"
    }

    /// A span in at most two units: `45 s`, `4 min 12 s`, `10 min`, `1 h 30 min`, `2 d 3 h`
    /// (the smaller unit left out from 10 of the larger up).
    static func span(_ seconds: Int) -> String { spanShown(seconds).text }

    /// `10 min`, or `1 h 1 min (3700 s)` when ``span(_:)`` rounds it.
    static func interval(_ seconds: Int) -> String {
        let (text, shown) = spanShown(seconds)
        return shown == seconds ? text : "\(text) (\(seconds) s)"
    }

    /// The span's text and the seconds it stands for.
    private static func spanShown(_ seconds: Int) -> (text: String, shown: Int) {
        let units: [(name: String, seconds: Int)] = [("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)]
        guard let index = units.firstIndex(where: { seconds >= $0.seconds }) else { return ("0 s", 0) }
        let (name, size) = units[index]
        let count = seconds / size
        guard count < 10, index + 1 < units.count else { return ("\(count) \(name)", count * size) }
        let (smallName, smallSize) = units[index + 1]
        let rest = (seconds % size) / smallSize
        let text = rest == 0 ? "\(count) \(name)" : "\(count) \(name) \(rest) \(smallName)"
        return (text, count * size + rest * smallSize)
    }

    /// `2026-12-02 15:20:54 UTC`.
    static func utcText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    /// An RFC 3339 time (`2026-12-02T15:20:54Z`, fractions of a second allowed).
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// Typed reads of a JSON object from `JSONSerialization` (null and a missing key both read nil).
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }

    func integer(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}
