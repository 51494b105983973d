/// The two shapes nearly every feed date is written in, read at fixed positions before the
/// general scanners are tried:
///
/// ```
/// Www, DD Mmm YYYY HH:MM:SS GMT    RFC 2822 (zone GMT, UTC, UT or ±hhmm)
/// YYYY-MM-DDTHH:MM:SSZ             RFC 3339 without a fraction (zone Z or ±hh:mm)
/// ```
///
/// A string of another shape (one-digit day, fraction, other zone, other spacing), or with a
/// field out of range (hour past 23, second 60, zone past ±23:59), gets nil, and the general
/// scanners read it as before. For the strings read here those scanners find the same fields
/// (`RFC822DateScanner`, `ISO8601DateScanner`): this is only the short way to them. Real
/// feeds' dates are almost all of these two shapes, and the general scanners' word tables
/// and alternatives cost several times more.
enum CanonicalDateScanner {
    static func scan(_ cursor: ByteCursor) -> DateTimeFields? {
        switch cursor.end - cursor.index {
        case 20, 25:
            return scanRFC3339(cursor)
        case 28, 29, 31:
            return scanRFC2822(cursor)
        default:
            return nil
        }
    }

    /// `Www, DD Mmm YYYY HH:MM:SS ` then `GMT`, `UTC`, `UT` or `±hhmm`.
    private static func scanRFC2822(_ cursor: ByteCursor) -> DateTimeFields? {
        let start = cursor.index
        guard cursor.peek(3) == UInt8(ascii: ","), cursor.peek(4) == space, cursor.peek(7) == space,
            cursor.peek(11) == space, cursor.peek(16) == space, cursor.peek(25) == space,
            MonthAndWeekdayNames.isWeekday(cursor, start..<start + 3),
            let month = MonthAndWeekdayNames.month(cursor, start + 8..<start + 11),
            let day = digits(cursor, at: 5, count: 2), let year = digits(cursor, at: 12, count: 4),
            let time = clockTime(cursor, at: 17)
        else { return nil }
        let offset: Int?
        switch cursor.end - start {
        case 31:
            offset = numericOffset(cursor, at: 26)
        case 29:
            offset = isUniversalName(cursor, at: 26, "gmt") || isUniversalName(cursor, at: 26, "utc") ? 0 : nil
        default:  // 28
            offset = isUniversalName(cursor, at: 26, "ut") ? 0 : nil
        }
        guard let offset else { return nil }
        var fields = DateTimeFields(year: year, month: month, day: day)
        fields.time = time
        fields.utcOffsetSeconds = offset
        return fields
    }

    /// `YYYY-MM-DDTHH:MM:SS` then `Z` or `±hh:mm`.
    private static func scanRFC3339(_ cursor: ByteCursor) -> DateTimeFields? {
        guard cursor.peek(4) == UInt8(ascii: "-"), cursor.peek(7) == UInt8(ascii: "-"), cursor.peek(10) == UInt8(ascii: "T"),
            let year = digits(cursor, at: 0, count: 4), let month = digits(cursor, at: 5, count: 2),
            let day = digits(cursor, at: 8, count: 2), let time = clockTime(cursor, at: 11)
        else { return nil }
        let offset: Int?
        if cursor.end - cursor.index == 20 {
            offset = cursor.peek(19) == UInt8(ascii: "Z") ? 0 : nil
        } else {
            offset = numericOffset(cursor, at: 19)
        }
        guard let offset else { return nil }
        var fields = DateTimeFields(year: year, month: month, day: day)
        fields.time = time
        fields.utcOffsetSeconds = offset
        return fields
    }

    private static let space = UInt8(ascii: " ")

    /// `HH:MM:SS` with hours 00...23, minutes and seconds 00...59.
    private static func clockTime(_ cursor: ByteCursor, at offset: Int) -> ClockTime? {
        guard cursor.peek(offset + 2) == UInt8(ascii: ":"), cursor.peek(offset + 5) == UInt8(ascii: ":"),
            let hour = digits(cursor, at: offset, count: 2), hour <= 23,
            let minute = digits(cursor, at: offset + 3, count: 2), minute <= 59,
            let second = digits(cursor, at: offset + 6, count: 2), second <= 59
        else { return nil }
        return ClockTime(hour: hour, minute: minute, second: second)
    }

    /// A numeric zone (`±hhmm`, `±hh:mm`) from `offset` to the end, read by the general
    /// scanners' own `TimeZoneScanner`, in seconds east of UTC.
    private static func numericOffset(_ cursor: ByteCursor, at offset: Int) -> Int? {
        var zone = cursor
        zone.advance(offset)
        let sign = zone.peek()
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
            let seconds = TimeZoneScanner.scan(&zone, unknownNamesAreUTC: false), zone.isAtEnd
        else { return nil }
        return seconds
    }

    /// Whether the letters at `offset` spell `name` (lower case), in any case.
    private static func isUniversalName(_ cursor: ByteCursor, at offset: Int, _ name: StaticString) -> Bool {
        let letters = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        for (index, letter) in letters.enumerated() where cursor.peek(offset + index) | 0x20 != letter {
            return false
        }
        return true
    }

    /// The `count` ASCII digits at `offset` as a number, or nil when one is not a digit.
    private static func digits(_ cursor: ByteCursor, at offset: Int, count: Int) -> Int? {
        var value = 0
        for position in offset..<offset + count {
            let digit = cursor.peek(position) &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}
