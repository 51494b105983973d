/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
enum RetryAfter {
    /// The delay `value` asks for, from `now` (Unix seconds), between zero and `maximum`; nil
    /// when the value is neither form.
    static func delay(_ value: String, now: Int64, maximum: Duration) -> Duration? {
        let text = value.trimmingWhitespace
        let seconds: Int64
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            seconds = Int64(text) ?? Int64.max  // digits too many for Int64: as long as allowed
        } else if let date = httpDate(text) {
            seconds = date - now
        } else {
            return nil
        }
        guard seconds < Int64(maximum.components.seconds) else { return maximum }
        return .seconds(max(0, seconds))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Unix seconds of an HTTP date in any of its three forms: IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and
    /// asctime (`Sun Nov  6 08:49:37 1994`).
    static func httpDate(_ text: String) -> Int64? {
        let tokens = text.split { $0 == " " || $0 == "," || $0 == "-" }
        var month: Int?
        var time: [Int]?
        var numbers: [Substring] = []
        for token in tokens {
            if token.contains(":") {
                let parts = token.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 3 else { return nil }
                time = parts
            } else if token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber) {
                numbers.append(token)
            } else if month == nil, token.count == 3, let index = months.firstIndex(of: token.lowercased()) {
                month = index + 1
            }
        }
        // Day then year (IMF-fixdate, RFC 850, asctime alike).
        guard let month, let time, numbers.count == 2, let day = Int(numbers[0]), var year = Int(numbers[1]),
            (1...31).contains(day), time[0] < 24, time[1] < 60, time[2] < 61
        else { return nil }
        if numbers[1].count == 2 { year += year < 70 ? 2000 : 1900 }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + Int64(time[0] * 3600 + time[1] * 60 + time[2])
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    /// Without leading and trailing spaces, tabs, CR and LF (no Foundation bridging).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
