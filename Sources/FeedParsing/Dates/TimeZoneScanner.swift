/// Reads the zone part of a date: a numeric offset, a zone name, or a name for UTC followed
/// by an offset.
///
/// Accepted, in any case:
/// - `+hhmm`, `+hh:mm`, `+hh` (and the same with `-`); hours 00...23, minutes 00...59
///   (RFC 3339's ranges; feedparser takes any two digits);
/// - `GMT`, `UTC` or `UT` followed by such an offset, where the hours may also be a single
///   digit (`GMT+2`, `GMT-05:00`, `UTC+0530`);
/// - a zone name (`TimeZoneNames`); when `unknownNamesAreUTC`, a name in no table, such as
///   `PKT` or `Europe/Paris`, counts as UTC, as in feedparser's RFC 822 handler, and
///   otherwise it is not a zone;
/// - `Etc/` before a name (`Etc/GMT`), but not before an offset: `Etc/GMT+5` means UTC-5
///   in the tz database and UTC+5 to a naive reader, so it is refused rather than guessed.
enum TimeZoneScanner {
    /// The offset east of UTC, in seconds, of the zone at the cursor, or nil when what is
    /// there is not a zone. On success the cursor stands just past the zone.
    static func scan(_ cursor: inout ByteCursor, unknownNamesAreUTC: Bool) -> Int? {
        let first = cursor.peek()
        if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            return scanNumericOffset(&cursor, allowingOneDigitHour: false)
        }
        guard first.isASCIILetter else { return nil }

        var name = readName(&cursor)
        var afterEtc = false
        if name.key == "etc", cursor.peek() == UInt8(ascii: "/") {
            cursor.advance()
            name = readName(&cursor)
            afterEtc = true
        }
        let next = cursor.peek()
        if next == UInt8(ascii: "/") || next == UInt8(ascii: "_") {
            // A region name such as "America/New_York": unknown.
            while cursor.peek().isASCIILetter || cursor.peek() == UInt8(ascii: "/")
                || cursor.peek() == UInt8(ascii: "_")
            {
                cursor.advance()
            }
            return afterEtc || !unknownNamesAreUTC ? nil : 0
        }
        if let key = name.key, TimeZoneNames.isUniversalPrefix(key),
            next == UInt8(ascii: "+") || next == UInt8(ascii: "-")
        {
            return afterEtc ? nil : scanNumericOffset(&cursor, allowingOneDigitHour: true)
        }
        if name.length == 0 { return nil }
        if let known = name.key.flatMap(TimeZoneNames.offsetSeconds) { return known }
        return unknownNamesAreUTC ? 0 : nil
    }

    private static func readName(_ cursor: inout ByteCursor) -> (key: LowercaseWordKey?, length: Int) {
        let start = cursor.index
        while cursor.peek().isASCIILetter { cursor.advance() }
        return (LowercaseWordKey(cursor, start..<cursor.index), cursor.index - start)
    }

    /// `±hhmm`, `±hh:mm` or `±hh`; also `±h` and `±h:mm` when `allowingOneDigitHour`.
    private static func scanNumericOffset(_ cursor: inout ByteCursor, allowingOneDigitHour: Bool) -> Int? {
        let sign = cursor.peek() == UInt8(ascii: "-") ? -1 : 1
        cursor.advance()
        let hours: Int
        var minutes = 0
        let digits = cursor.digitCount()
        if digits == 4 {
            hours = cursor.readDigits(2)
            minutes = cursor.readDigits(2)
        } else if digits == 2 || (digits == 1 && allowingOneDigitHour) {
            hours = cursor.readDigits(digits)
            if cursor.peek() == UInt8(ascii: ":") {
                cursor.advance()
                guard cursor.digitCount() == 2 else { return nil }
                minutes = cursor.readDigits(2)
            }
        } else {
            return nil
        }
        guard hours <= 23, minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
