/// What a scanner read from a date string, before it is checked and turned into an instant.
struct DateTimeFields {
    var year: Int
    var month: Int
    var day: Int
    var time = ClockTime.midnight
    /// Seconds east of UTC of the zone the fields are written in.
    var utcOffsetSeconds = 0

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Seconds since 1970-01-01T00:00:00Z, or nil when the fields are not a real date.
    ///
    /// Like Python's `datetime` (which feedparser's handlers build), the year must be
    /// 1...9999, the day must exist in its month (no 30 February), hours run 0...23 and
    /// minutes 0...59, and the instant, once moved to UTC, must still fall within years
    /// 1...9999. Unlike `datetime`, a leap second (`:60`) is read as the first second of the
    /// next minute rather than refused.
    func unixSeconds() -> Int? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilCalendar.daysInMonth(year: year, month: month),
            (0...23).contains(time.hour), (0...59).contains(time.minute), (0...60).contains(time.second)
        else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * CivilCalendar.secondsPerDay + time.hour * 3600 + time.minute * 60 + time.second
            - utcOffsetSeconds
        guard seconds >= CivilCalendar.firstSecondOfYear1, seconds <= CivilCalendar.lastSecondOfYear9999 else {
            return nil
        }
        return seconds
    }
}
