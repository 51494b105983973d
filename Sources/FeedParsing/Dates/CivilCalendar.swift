/// Proleptic Gregorian calendar arithmetic on plain integers: day numbers counted from
/// 1970-01-01, which work for any year, before 1970 too.
///
/// The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html>), which shift the year to start
/// in March so that February's length only matters at the end of a 400-year era.
enum CivilCalendar {
    static let secondsPerDay = 86_400

    /// The first second of 0001-01-01, UTC, in seconds since 1970. (Literals, not computed, so
    /// that reading them costs no lazy initialisation; `DateParsingTests.historicInstants` pins them.)
    static let firstSecondOfYear1 = -62_135_596_800
    /// The last second of 9999-12-31, UTC, in seconds since 1970.
    static let lastSecondOfYear9999 = 253_402_300_799

    /// Days from 1970-01-01 to `year-month-day` (negative before 1970).
    @inline(__always)
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let marchBasedYear = month <= 2 ? year - 1 : year
        let era = (marchBasedYear >= 0 ? marchBasedYear : marchBasedYear - 399) / 400
        let yearOfEra = marchBasedYear - era * 400  // 0...399
        let marchBasedMonth = month > 2 ? month - 3 : month + 9  // March is 0
        let dayOfYear = (153 * marchBasedMonth + 2) / 5 + day - 1  // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146096
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day counted from 1970-01-01.
    @inline(__always)
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365
        let marchBasedMonth = (5 * dayOfYear + 2) / 153  // 0...11
        let day = dayOfYear - (153 * marchBasedMonth + 2) / 5 + 1
        let month = marchBasedMonth < 10 ? marchBasedMonth + 3 : marchBasedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The month and day of the `ordinal`th day (1-based) of `year`, or nil when the year is
    /// shorter than that.
    static func monthAndDay(ordinal: Int, year: Int) -> (month: Int, day: Int)? {
        guard ordinal >= 1, ordinal <= (isLeapYear(year) ? 366 : 365) else { return nil }
        var remaining = ordinal
        for month in 1...12 {
            let length = daysInMonth(year: year, month: month)
            if remaining <= length { return (month, remaining) }
            remaining -= length
        }
        return nil
    }
}
