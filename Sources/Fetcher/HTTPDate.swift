import Glibc

/// An HTTP date (RFC 9110 §5.6.7) as Unix seconds, in the three forms a recipient must read:
///
/// - IMF-fixdate, the one senders write: `Sun, 06 Nov 1994 08:49:37 GMT`;
/// - the obsolete RFC 850 form, with a two-digit year: `Sunday, 06-Nov-94 08:49:37 GMT`;
/// - the obsolete asctime form: `Sun Nov  6 08:49:37 1994`.
///
/// The weekday is not checked against the date, a one-digit day is read in every form, and the
/// names are read in any case; anything else is not a date (nil).
enum HTTPDate {
    /// Unix seconds of `text`; `now` (Unix seconds) places a two-digit year: it is read as the
    /// year with those digits at most 50 years after `now`, and past it the century before
    /// (RFC 9110 §5.6.7: such a year is the most recent one in the past).
    static func parse(_ text: String, now: Int64) -> Int64? {
        let words = text.split(separator: " ")
        switch words.count {
        case 6 where words[0].hasSuffix(",") && isGMT(words[5]):  // IMF-fixdate
            return seconds(day: words[1], month: words[2], year: words[3], time: words[4], now: now)
        case 4 where words[0].hasSuffix(",") && isGMT(words[3]):  // RFC 850
            let date = words[1].split(separator: "-", omittingEmptySubsequences: false)
            guard date.count == 3 else { return nil }
            return seconds(day: date[0], month: date[1], year: date[2], time: words[2], now: now)
        case 5 where !words[0].hasSuffix(","):  // asctime
            return seconds(day: words[2], month: words[1], year: words[4], time: words[3], now: now)
        default:
            return nil
        }
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func isGMT(_ word: Substring) -> Bool { word.uppercased() == "GMT" }

    private static func seconds(day: Substring, month: Substring, year: Substring, time: Substring, now: Int64) -> Int64? {
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard let month = months.firstIndex(of: month.lowercased()), let day = number(day, digits: 1...2),
            var year = number(year, digits: 2...4), year >= 1000 || year < 100, clock.count == 3,
            let hour = number(clock[0], digits: 2...2), let minute = number(clock[1], digits: 2...2),
            let second = number(clock[2], digits: 2...2), hour < 24, minute < 60, second <= 60
        else { return nil }
        if year < 100 {  // the year with these last two digits from 49 years before `now` to 50 after
            let thisYear = civilYear(now)
            year += thisYear / 100 * 100
            if year > thisYear + 50 { year -= 100 } else if year <= thisYear - 50 { year += 100 }
        }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(min(second, 59))  // a leap second is read as the second before it
        let result = timegm(&fields)
        // timegm carries 31 Feb over to 3 Mar: such a day is not a date.
        guard fields.tm_mday == Int32(day), fields.tm_mon == Int32(month) else { return nil }
        return Int64(result)
    }

    /// A number of `digits` decimal digits.
    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(text)
    }

    /// The year (UTC) of Unix seconds `time`.
    private static func civilYear(_ time: Int64) -> Int {
        var seconds = time_t(time)
        var fields = tm()
        gmtime_r(&seconds, &fields)
        return Int(fields.tm_year) + 1900
    }
}
