/// A time of day as written, and the scanners that read one.
///
/// Fractions of a second are read and dropped: instants have whole-second resolution, as
/// in feedparser (whose time tuples have no fraction) and in `FeedDate.format`.
struct ClockTime {
    var hour: Int
    var minute: Int
    var second: Int

    static var midnight: ClockTime { ClockTime(hour: 0, minute: 0, second: 0) }

    /// `h:mm`, `h:mm:ss` or `h:mm:ss.fff`, each field one or two digits (`1:2:3` is fine, as
    /// in feedparser); with `allowingHourAlone`, a bare `h` too.
    static func scanExtended(_ cursor: inout ByteCursor, allowingHourAlone: Bool) -> ClockTime? {
        guard let hour = cursor.readNumber(digits: 1...2) else { return nil }
        guard cursor.consume(UInt8(ascii: ":")) else {
            return allowingHourAlone ? ClockTime(hour: hour, minute: 0, second: 0) : nil
        }
        guard let minute = cursor.readNumber(digits: 1...2) else { return nil }
        guard cursor.consume(UInt8(ascii: ":")) else {
            return ClockTime(hour: hour, minute: minute, second: 0)
        }
        guard let second = cursor.readNumber(digits: 1...2) else { return nil }
        skipFraction(&cursor)
        return ClockTime(hour: hour, minute: minute, second: second)
    }

    /// The ISO 8601 forms: the extended ones above and the basic `hhmm`, `hhmmss`,
    /// `hhmmss.fff`.
    static func scanISO8601(_ cursor: inout ByteCursor, allowingHourAlone: Bool) -> ClockTime? {
        switch cursor.digitCount() {
        case 4:
            return ClockTime(hour: cursor.readDigits(2), minute: cursor.readDigits(2), second: 0)
        case 6:
            let time = ClockTime(hour: cursor.readDigits(2), minute: cursor.readDigits(2), second: cursor.readDigits(2))
            skipFraction(&cursor)
            return time
        default:
            return scanExtended(&cursor, allowingHourAlone: allowingHourAlone)
        }
    }

    /// Steps over `.123` (or ISO 8601's `,123`), any number of digits.
    private static func skipFraction(_ cursor: inout ByteCursor) {
        let mark = cursor.peek()
        guard mark == UInt8(ascii: ".") || mark == UInt8(ascii: ","), cursor.peek(1).isASCIIDigit else { return }
        cursor.advance()
        cursor.advance(cursor.digitCount())
    }

    /// Turns a 12-hour-clock time into a 24-hour one (12 a.m. is 0h, 12 p.m. is 12h); nil
    /// when the hour is above 12. An hour of 0 is tolerated and read as 12.
    func applyingMeridiem(afternoon: Bool) -> ClockTime? {
        guard (0...12).contains(hour) else { return nil }
        var time = self
        time.hour = hour % 12 + (afternoon ? 12 : 0)
        return time
    }
}
