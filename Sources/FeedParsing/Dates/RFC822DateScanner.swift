/// Reads RFC 822 / RFC 2822 dates and the real-world variants feedparser accepts, plus the
/// other formats that share their words: asctime, Perforce and Greek dates.
///
/// ```
/// [weekday[,]] day month year [time [am|pm] [zone]]   Thu, 01 Jan 2004 19:48:21 GMT
/// [weekday[,]] month day[,] year [time [am|pm] [zone]] Thu Aug 30 2012 17:26:16 +0200
/// [weekday] month day time [am|pm] [zone] year        Sun Jan  4 16:29:06 PST 2004 (asctime)
/// [weekday,] yyyy/mm/dd [time [am|pm] [zone]]         Fri, 2006/09/15 08:19:53 EDT (Perforce)
/// ```
///
/// - Weekday and month names: see `MonthAndWeekdayNames` (English in any case on their first
///   three letters, full or short, optional trailing `.`; Greek). The weekday is not checked
///   against the date, as in feedparser.
/// - Commas and runs of whitespace may appear between any two parts (`Fri,24 Nov`,
///   `13 Feb, 2012`); `-` may join day, month and year (`01-Jan-2004`, RFC 850).
/// - Years of one or two digits follow feedparser: 90...99 are 1990...1999, 0...89 are
///   2000...2089. Three and four digits are taken as written.
/// - Time: `h:mm[:ss[.fff]]`; missing time means midnight, missing zone means UTC.
/// - Zone: see `TimeZoneScanner`.
/// - Whatever follows the zone (or asctime's year) after a space, comma or `(` is ignored,
///   as feedparser ignores it: `-0800 (PST)`, `-0500 EST`.
enum RFC822DateScanner {
    static func scan(_ input: ByteCursor) -> DateTimeFields? {
        var cursor = input
        cursor.skipWhitespaceAndCommas()
        skipWeekday(&cursor)

        var fields: DateTimeFields
        var yearFollowsTime = false
        if cursor.peek().isASCIIDigit {
            guard let dayFirst = scanDayFirstDate(&cursor) else { return nil }
            fields = dayFirst
        } else {
            guard let month = scanMonth(&cursor) else { return nil }
            skipDateSeparators(&cursor)
            guard let day = cursor.readNumber(digits: 1...2) else { return nil }
            skipDateSeparators(&cursor)
            let digits = cursor.digitCount()
            if digits > 0, cursor.peek(digits) == UInt8(ascii: ":") {
                yearFollowsTime = true
                fields = DateTimeFields(year: 0, month: month, day: day)
            } else {
                guard let year = scanYear(&cursor) else { return nil }
                fields = DateTimeFields(year: year, month: month, day: day)
            }
        }

        cursor.skipWhitespaceAndCommas()
        if cursor.isAtEnd { return yearFollowsTime ? nil : fields }

        guard var time = ClockTime.scanExtended(&cursor, allowingHourAlone: false) else { return nil }
        if let afternoon = scanMeridiem(&cursor) {
            guard let adjusted = time.applyingMeridiem(afternoon: afternoon) else { return nil }
            time = adjusted
        }
        fields.time = time
        let endOfTime = cursor.index
        cursor.skipWhitespaceAndCommas()

        let next = cursor.peek()
        if !cursor.isAtEnd, next != UInt8(ascii: "("), !(yearFollowsTime && next.isASCIIDigit) {
            // A zone name must stand apart ("19:48:21 GMT"); only a numeric offset may touch
            // the time ("19:48:21+0100"), so "19:48:2P GMT" is not read as zone "P".
            guard cursor.index > endOfTime || !next.isASCIILetter,
                let offset = TimeZoneScanner.scan(&cursor, unknownNamesAreUTC: true), endsPart(cursor)
            else { return nil }
            fields.utcOffsetSeconds = offset
            cursor.skipWhitespaceAndCommas()
        }
        if yearFollowsTime {
            guard let year = scanYear(&cursor), endsPart(cursor) else { return nil }
            fields.year = year
        }
        // Like feedparser, read nothing after the zone (or asctime's year): a comment such as
        // "(PST)", or a second zone as in "-0500 EST", does not make the date wrong.
        return fields
    }

    /// Whether the part just read ends here: at the end, or before whitespace, a comma or `(`.
    private static func endsPart(_ cursor: ByteCursor) -> Bool {
        let next = cursor.peek()
        return cursor.isAtEnd || next == UInt8(ascii: ",") || next == UInt8(ascii: "(")
            || cursor.whitespaceLength(at: cursor.index) > 0
    }

    /// `day month year` (the day leading) or Perforce's `yyyy/mm/dd`.
    private static func scanDayFirstDate(_ cursor: inout ByteCursor) -> DateTimeFields? {
        let digits = cursor.digitCount()
        if cursor.peek(digits) == UInt8(ascii: "/") {
            guard digits == 4 else { return nil }
            let year = cursor.readDigits(4)
            cursor.advance()
            guard let month = cursor.readNumber(digits: 1...2), cursor.consume(UInt8(ascii: "/")),
                let day = cursor.readNumber(digits: 1...2)
            else { return nil }
            return DateTimeFields(year: year, month: month, day: day)
        }
        guard let day = cursor.readNumber(digits: 1...2) else { return nil }
        skipDateSeparators(&cursor)
        guard let month = scanMonth(&cursor) else { return nil }
        skipDateSeparators(&cursor)
        guard let year = scanYear(&cursor) else { return nil }
        return DateTimeFields(year: year, month: month, day: day)
    }

    /// Steps over a leading weekday name and the commas and spaces after it, if there is one.
    private static func skipWeekday(_ cursor: inout ByteCursor) {
        var probe = cursor
        let word = probe.readWord()
        guard !word.isEmpty, MonthAndWeekdayNames.isWeekday(probe, word) else { return }
        _ = probe.consume(UInt8(ascii: "."))
        guard !probe.peek().isASCIIDigit else { return }
        probe.skipWhitespaceAndCommas()
        cursor = probe
    }

    /// A month name, not touching a digit on either side ("19Feb", "Jan5" are refused).
    private static func scanMonth(_ cursor: inout ByteCursor) -> Int? {
        if cursor.index > 0, cursor.bytes[cursor.index - 1].isASCIIDigit { return nil }
        let word = cursor.readWord()
        guard !word.isEmpty, let month = MonthAndWeekdayNames.month(cursor, word) else { return nil }
        _ = cursor.consume(UInt8(ascii: "."))
        guard !cursor.peek().isASCIIDigit else { return nil }
        return month
    }

    /// One to four digits, two-digit years widened as feedparser does.
    private static func scanYear(_ cursor: inout ByteCursor) -> Int? {
        let digits = cursor.digitCount()
        guard let year = cursor.readNumber(digits: 1...4) else { return nil }
        guard digits <= 2 else { return year }
        return year + (year < 90 ? 2000 : 1900)
    }

    private static func skipDateSeparators(_ cursor: inout ByteCursor) {
        cursor.skipWhitespaceAndCommas()
        if cursor.consume(UInt8(ascii: "-")) { cursor.skipWhitespace() }
    }

    /// `am`/`pm`/`a.m.`/`p.m.` in any case, after optional whitespace: true for afternoon,
    /// false for morning, nil (and nothing read) when neither is next.
    private static func scanMeridiem(_ cursor: inout ByteCursor) -> Bool? {
        var probe = cursor
        probe.skipWhitespace()
        let first = probe.peek().asciiLowercased
        guard first == UInt8(ascii: "a") || first == UInt8(ascii: "p") else { return nil }
        probe.advance()
        let dotted = probe.consume(UInt8(ascii: "."))
        guard probe.peek().asciiLowercased == UInt8(ascii: "m") else { return nil }
        probe.advance()
        if dotted {
            guard probe.consume(UInt8(ascii: ".")) else { return nil }
        }
        guard !probe.peek().isASCIILetter else { return nil }
        cursor = probe
        return first == UInt8(ascii: "p")
    }
}
