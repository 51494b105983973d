import Foundation

/// Parses and formats the dates feeds carry, by hand (no `DateFormatter` on this path).
///
/// `parse` reads the formats feedparser reads, with feedparser's rules where they are
/// well-defined (the test list is feedparser's own date tests, in
/// `Tests/FeedParsingTests/Fixtures/feedparser/dates.jsonl`):
/// - RFC 822 / RFC 2822 and their real-world variants, asctime, Perforce and Greek dates
///   (`RFC822DateScanner`);
/// - RFC 3339 / W3CDTF / ISO 8601, including Hungarian month names (`ISO8601DateScanner`);
/// - the Korean OnBlog and Nate formats (`KoreanDateScanner`).
///
/// Dates must be real (no 30 February, no hour 25) and fall within years 0001...9999 once
/// moved to UTC. A missing time is midnight and a missing zone is UTC. Instants have
/// whole-second resolution: fractions of a second are dropped, as feedparser drops them.
public enum FeedDate {
    /// The UTC instant a feed date string means, or nil when it is not a date.
    ///
    /// Surrounding whitespace is ignored, and so is whatever follows the zone of an RFC 822
    /// date (`-0800 (PST)`), as feedparser ignores it; anything else the formats do not allow
    /// makes the string not a date. Runs in well under a microsecond and allocates nothing
    /// for native strings.
    @inlinable
    public static func parse<S: StringProtocol>(_ text: S) -> Date? {
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ parseUTF8($0) }) {
            return parsed
        }
        var contiguous = String(text)
        return contiguous.withUTF8 { parseUTF8($0) }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
    ///
    /// Seconds are rounded down (`parse` never yields fractions). Instants before
    /// 0001-01-01T00:00:00Z or after 9999-12-31T23:59:59Z are written as those bounds, so the
    /// result always has this exact shape.
    public static func format(_ date: Date) -> String {
        UTCTimestampWriter.string(date)
    }

    /// Calls `body` with the UTF-8 bytes of ``format(_:)``, made without a `String`.
    public static func withFormattedBytes<Result>(_ date: Date, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        UTCTimestampWriter.withBytes(date, body)
    }

    /// `parse` over the UTF-8 bytes of the text.
    @usableFromInline
    static func parseUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = ByteCursor(bytes)
        cursor.trimWhitespace()
        guard !cursor.isAtEnd else { return nil }
        guard let seconds = unixSeconds(cursor) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Tries the scanners that can match a string starting with this byte, most likely first;
    /// the two shapes most feeds write are read at fixed positions first.
    private static func unixSeconds(_ cursor: ByteCursor) -> Int? {
        if let seconds = CanonicalDateScanner.scan(cursor)?.unixSeconds() { return seconds }
        return scannedUnixSeconds(cursor)
    }

    /// The general scanners alone, for any shape (the canonical shapes must read the same
    /// through them: the tests compare the two).
    static func scannedUnixSeconds(_ cursor: ByteCursor) -> Int? {
        let first = cursor.peek()
        if first.isASCIIDigit {
            return ISO8601DateScanner.scan(cursor)?.unixSeconds()
                ?? RFC822DateScanner.scan(cursor)?.unixSeconds()
                ?? KoreanDateScanner.scan(cursor)?.unixSeconds()
        }
        if first == UInt8(ascii: "-") {
            return ISO8601DateScanner.scan(cursor)?.unixSeconds()
        }
        return RFC822DateScanner.scan(cursor)?.unixSeconds()
    }
}
