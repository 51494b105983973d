/// Reads RFC 3339 / W3CDTF / ISO 8601 dates, covering what feedparser's `w3dtf` and
/// `iso8601` handlers accept whenever the answer does not depend on today's date.
///
/// Date forms:
/// - `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (month and day may be one digit, as W3CDTF readers
///   allow), `YYYYMMDD`, `YYYY-MMDD`;
/// - ordinal dates `YYYY-DDD`, `YYYYDDD`;
/// - `YYYY-0MM-DD` (a three-digit month, which feedparser accepts);
/// - two-digit years, read as 20YY like feedparser's ISO 8601 handler: `YY-MM-DD`, `YYMMDD`,
///   `YY-DDD`, `YYDDD`, and the truncated `-YY-MM` / `-YYMM` (first day of that month);
/// - Hungarian month names: `2004-július-13`.
///
/// Then, optionally, `T` (any case) or spaces and a time (`ClockTime.scanISO8601`; an hour
/// alone only after `T`), then optionally a zone (`TimeZoneScanner`: `Z`, `±hh:mm`, `±hhmm`,
/// `±hh`, known names), which may follow the time directly or after spaces. Nothing may
/// follow.
///
/// feedparser's forms without a year (`--MM-DD`, `---DD`, `-DDD`, a bare `CC` century) take
/// the missing parts from the clock, so they are not read here.
enum ISO8601DateScanner {
    static func scan(_ input: ByteCursor) -> DateTimeFields? {
        var cursor = input
        guard var fields = scanDate(&cursor) else { return nil }
        if cursor.isAtEnd { return fields }

        let separator = cursor.peek()
        let afterT = separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
        if afterT {
            cursor.advance()
        } else {
            let spaceStart = cursor.index
            cursor.skipWhitespace()
            guard cursor.index > spaceStart else { return nil }
        }
        guard let time = ClockTime.scanISO8601(&cursor, allowingHourAlone: afterT) else { return nil }
        fields.time = time

        cursor.skipWhitespace()
        if !cursor.isAtEnd {
            guard let offset = TimeZoneScanner.scan(&cursor, unknownNamesAreUTC: false) else { return nil }
            fields.utcOffsetSeconds = offset
            cursor.skipWhitespace()
        }
        return cursor.isAtEnd ? fields : nil
    }

    private static func scanDate(_ cursor: inout ByteCursor) -> DateTimeFields? {
        if cursor.consume(UInt8(ascii: "-")) {
            return scanTruncatedYearMonth(&cursor)
        }
        switch cursor.digitCount() {
        case 8:  // YYYYMMDD
            return DateTimeFields(year: cursor.readDigits(4), month: cursor.readDigits(2), day: cursor.readDigits(2))
        case 7:  // YYYYDDD
            return ordinalDate(year: cursor.readDigits(4), ordinal: cursor.readDigits(3))
        case 6:  // YYMMDD
            return DateTimeFields(
                year: 2000 + cursor.readDigits(2), month: cursor.readDigits(2), day: cursor.readDigits(2))
        case 5:  // YYDDD
            return ordinalDate(year: 2000 + cursor.readDigits(2), ordinal: cursor.readDigits(3))
        case 4:
            let year = cursor.readDigits(4)
            guard cursor.consume(UInt8(ascii: "-")) else { return DateTimeFields(year: year, month: 1, day: 1) }
            return scanAfterYear(&cursor, year: year, twoDigitYear: false)
        case 2:
            let year = 2000 + cursor.readDigits(2)
            guard cursor.consume(UInt8(ascii: "-")) else { return nil }
            return scanAfterYear(&cursor, year: year, twoDigitYear: true)
        default:
            return nil
        }
    }

    /// What follows `YYYY-` or `YY-`: `MM-DD`, `MMDD`, `MM`, `DDD`, `0MM-DD`, or a Hungarian
    /// month name and a day. After a two-digit year, month and day must have two digits and
    /// a month alone is not a date (as in feedparser's ISO 8601 handler).
    private static func scanAfterYear(
        _ cursor: inout ByteCursor, year: Int, twoDigitYear: Bool
    ) -> DateTimeFields? {
        let digits = cursor.digitCount()
        switch digits {
        case 0:
            let name = cursor.readWord()
            guard let month = MonthAndWeekdayNames.hungarianMonth(cursor, name) else { return nil }
            return scanDay(&cursor, year: year, month: month, dayDigits: 1...2)
        case 1, 2:
            guard digits == 2 || !twoDigitYear else { return nil }
            let month = cursor.readDigits(digits)
            if cursor.peek() == UInt8(ascii: "-"), cursor.peek(1).isASCIIDigit {
                return scanDay(&cursor, year: year, month: month, dayDigits: twoDigitYear ? 2...2 : 1...2)
            }
            return twoDigitYear ? nil : DateTimeFields(year: year, month: month, day: 1)
        case 3:
            if cursor.peek() == UInt8(ascii: "0"), cursor.peek(3) == UInt8(ascii: "-") {  // 0MM-DD
                cursor.advance()
                return scanDay(&cursor, year: year, month: cursor.readDigits(2), dayDigits: 1...2)
            }
            return ordinalDate(year: year, ordinal: cursor.readDigits(3))
        case 4:  // MMDD
            return DateTimeFields(year: year, month: cursor.readDigits(2), day: cursor.readDigits(2))
        default:
            return nil
        }
    }

    /// `-DD` (or `-D` when `dayDigits` allows) after the month.
    private static func scanDay(
        _ cursor: inout ByteCursor, year: Int, month: Int, dayDigits: ClosedRange<Int>
    ) -> DateTimeFields? {
        guard cursor.consume(UInt8(ascii: "-")), let day = cursor.readNumber(digits: dayDigits) else { return nil }
        return DateTimeFields(year: year, month: month, day: day)
    }

    /// `-YY-MM` or `-YYMM` (the leading `-` already read): the first day of that month.
    private static func scanTruncatedYearMonth(_ cursor: inout ByteCursor) -> DateTimeFields? {
        let digits = cursor.digitCount()
        if digits == 4 {
            return DateTimeFields(year: 2000 + cursor.readDigits(2), month: cursor.readDigits(2), day: 1)
        }
        guard digits == 2 else { return nil }
        let year = 2000 + cursor.readDigits(2)
        guard cursor.consume(UInt8(ascii: "-")), cursor.digitCount() == 2 else { return nil }
        return DateTimeFields(year: year, month: cursor.readDigits(2), day: 1)
    }

    private static func ordinalDate(year: Int, ordinal: Int) -> DateTimeFields? {
        guard let (month, day) = CivilCalendar.monthAndDay(ordinal: ordinal, year: year) else { return nil }
        return DateTimeFields(year: year, month: month, day: day)
    }
}
