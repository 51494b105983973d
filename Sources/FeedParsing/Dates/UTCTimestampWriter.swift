import Foundation

/// Writes an instant as `YYYY-MM-DDTHH:MM:SSZ` by hand (no formatter, no calendar).
enum UTCTimestampWriter {
    static let length = 20

    /// The whole seconds since 1970 of `date` (rounded down, so 1969-12-31T23:59:59.5Z is
    /// still 23:59:59), clamped to years 0001...9999; a NaN interval counts as 1970.
    static func wholeSeconds(_ date: Date) -> Int {
        let interval = date.timeIntervalSince1970
        guard !interval.isNaN else { return 0 }
        let lowest = Double(CivilCalendar.firstSecondOfYear1)
        let highest = Double(CivilCalendar.lastSecondOfYear9999)
        return Int(min(max(interval, lowest), highest).rounded(.down))
    }

    static func string(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: length) { write(date, into: $0) }
    }

    /// Calls `body` with the timestamp's bytes, written on the stack (no `String` made).
    static func withBytes<Result>(_ date: Date, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
            let count = write(date, into: buffer)
            return body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the timestamp at the start of `buffer` (at least ``length`` bytes); returns its length.
    private static func write(_ date: Date, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let seconds = wholeSeconds(date)
        var days = seconds / CivilCalendar.secondsPerDay
        var secondOfDay = seconds % CivilCalendar.secondsPerDay
        if secondOfDay < 0 {
            secondOfDay += CivilCalendar.secondsPerDay
            days -= 1
        }
        let (year, month, day) = CivilCalendar.civilFromDays(days)
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60

        var position = 0
        /// `value` in `digits` decimal digits, then `separator`.
        func put(_ value: Int, digits: Int, then separator: Unicode.Scalar) {
            var remaining = value
            var index = position + digits - 1
            while index >= position {
                buffer[index] = UInt8(truncatingIfNeeded: 0x30 + remaining % 10)
                remaining /= 10
                index -= 1
            }
            buffer[position + digits] = UInt8(ascii: separator)
            position += digits + 1
        }
        put(year, digits: 4, then: "-")
        put(month, digits: 2, then: "-")
        put(day, digits: 2, then: "T")
        put(hour, digits: 2, then: ":")
        put(minute, digits: 2, then: ":")
        put(second, digits: 2, then: "Z")
        return position
    }
}
