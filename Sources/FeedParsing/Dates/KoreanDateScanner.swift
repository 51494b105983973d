/// Reads the two Korean blog-platform formats feedparser knows. Both are Korea Standard
/// Time (UTC+9) with no zone written.
///
/// - OnBlog: `2004년 05월 28일  01:31:15` (year, month, day marked by 년 월 일);
/// - Nate: `2004-05-25 오후 11:23:17` (오전 = a.m., 오후 = p.m.). feedparser adds 12 to
///   any p.m. hour, which makes "12 p.m." fail and "12 a.m." noon; the usual 12-hour clock
///   is applied here instead.
enum KoreanDateScanner {
    static let koreaStandardTimeOffset = 9 * 3600

    static func scan(_ input: ByteCursor) -> DateTimeFields? {
        scanOnBlog(input) ?? scanNate(input)
    }

    private static func scanOnBlog(_ input: ByteCursor) -> DateTimeFields? {
        var cursor = input
        guard let year = cursor.readNumber(digits: 4...4), consume(yearMark, &cursor) else { return nil }
        cursor.skipWhitespace()
        guard let month = cursor.readNumber(digits: 1...2), consume(monthMark, &cursor) else { return nil }
        cursor.skipWhitespace()
        guard let day = cursor.readNumber(digits: 1...2), consume(dayMark, &cursor) else { return nil }
        cursor.skipWhitespace()
        guard let time = ClockTime.scanExtended(&cursor, allowingHourAlone: false) else { return nil }
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { return nil }
        var fields = DateTimeFields(year: year, month: month, day: day)
        fields.time = time
        fields.utcOffsetSeconds = koreaStandardTimeOffset
        return fields
    }

    private static func scanNate(_ input: ByteCursor) -> DateTimeFields? {
        var cursor = input
        guard let year = cursor.readNumber(digits: 4...4), cursor.consume(UInt8(ascii: "-")),
            let month = cursor.readNumber(digits: 1...2), cursor.consume(UInt8(ascii: "-")),
            let day = cursor.readNumber(digits: 1...2)
        else { return nil }
        cursor.skipWhitespace()
        let afternoon: Bool
        if consume(morningMark, &cursor) {
            afternoon = false
        } else if consume(afternoonMark, &cursor) {
            afternoon = true
        } else {
            return nil
        }
        cursor.skipWhitespace()
        guard let time = ClockTime.scanExtended(&cursor, allowingHourAlone: false)?
            .applyingMeridiem(afternoon: afternoon)
        else { return nil }
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { return nil }
        var fields = DateTimeFields(year: year, month: month, day: day)
        fields.time = time
        fields.utcOffsetSeconds = koreaStandardTimeOffset
        return fields
    }

    private static func consume(_ mark: [UInt8], _ cursor: inout ByteCursor) -> Bool {
        let range = cursor.index..<min(cursor.index + mark.count, cursor.end)
        guard cursor.bytes(in: range, equal: mark) else { return false }
        cursor.advance(mark.count)
        return true
    }

    private static let yearMark = Array("\u{B144}".utf8)  // 년
    private static let monthMark = Array("\u{C6D4}".utf8)  // 월
    private static let dayMark = Array("\u{C77C}".utf8)  // 일
    private static let morningMark = Array("\u{C624}\u{C804}".utf8)  // 오전
    private static let afternoonMark = Array("\u{C624}\u{D6C4}".utf8)  // 오후
}
