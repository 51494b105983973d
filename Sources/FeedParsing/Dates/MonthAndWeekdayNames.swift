/// The month and weekday names feed dates spell out: English (matched, as feedparser does, on
/// their first three letters in any case, so "Sept", "January" and "THU" all count), plus the
/// Greek and Hungarian spellings feedparser knows, which must match exactly.
enum MonthAndWeekdayNames {
    /// The month (1...12) the word in `range` names, or nil.
    static func month(_ cursor: ByteCursor, _ range: Range<Int>) -> Int? {
        if range.count >= 3, cursor.bytes[range.lowerBound] < 0x80 {
            return threeLetterIndex(cursor, range.lowerBound, in: englishMonths).map { $0 + 1 }
        }
        for (name, month) in greekMonths where cursor.bytes(in: range, equal: name) { return month }
        return nil
    }

    /// Whether the word in `range` names a day of the week.
    static func isWeekday(_ cursor: ByteCursor, _ range: Range<Int>) -> Bool {
        if range.count >= 3, cursor.bytes[range.lowerBound] < 0x80 {
            return threeLetterIndex(cursor, range.lowerBound, in: englishWeekdays) != nil
        }
        return greekWeekdays.contains { cursor.bytes(in: range, equal: $0) }
    }

    /// The month (1...12) a Hungarian month name in `range` gives, or nil.
    static func hungarianMonth(_ cursor: ByteCursor, _ range: Range<Int>) -> Int? {
        for (name, month) in hungarianMonths where cursor.bytes(in: range, equal: name) { return month }
        return nil
    }

    /// Which three-letter group of `names` (lower case, run together) the three letters at
    /// `start` spell, in any case.
    @inline(__always)
    private static func threeLetterIndex(_ cursor: ByteCursor, _ start: Int, in names: StaticString) -> Int? {
        let first = cursor.bytes[start] | 0x20
        let second = cursor.bytes[start + 1] | 0x20
        let third = cursor.bytes[start + 2] | 0x20
        let table = UnsafeBufferPointer(start: names.utf8Start, count: names.utf8CodeUnitCount)
        var index = 0
        while index * 3 < table.count {
            if table[index * 3] == first, table[index * 3 + 1] == second, table[index * 3 + 2] == third {
                return index
            }
            index += 1
        }
        return nil
    }

    // Constant strings rather than arrays: no lazy global to initialise and check on each use.
    private static var englishMonths: StaticString { "janfebmaraprmayjunjulaugsepoctnovdec" }
    private static var englishWeekdays: StaticString { "montuewedthufrisatsun" }

    /// Greek abbreviations, as feedparser's `greek.py` lists them (several months have two).
    private static let greekMonths: [([UInt8], Int)] = [
        ("\u{399}\u{3B1}\u{3BD}", 1),  // Ιαν
        ("\u{3A6}\u{3B5}\u{3B2}", 2),  // Φεβ
        ("\u{39C}\u{3AC}\u{3CE}", 3),  // Μάώ
        ("\u{39C}\u{3B1}\u{3CE}", 3),  // Μαώ
        ("\u{391}\u{3C0}\u{3C1}", 4),  // Απρ
        ("\u{39C}\u{3AC}\u{3B9}", 5),  // Μάι
        ("\u{39C}\u{3B1}\u{3CA}", 5),  // Μαϊ
        ("\u{39C}\u{3B1}\u{3B9}", 5),  // Μαι
        ("\u{399}\u{3BF}\u{3CD}\u{3BD}", 6),  // Ιούν
        ("\u{399}\u{3BF}\u{3BD}", 6),  // Ιον
        ("\u{399}\u{3BF}\u{3CD}\u{3BB}", 7),  // Ιούλ
        ("\u{399}\u{3BF}\u{3BB}", 7),  // Ιολ
        ("\u{391}\u{3CD}\u{3B3}", 8),  // Αύγ
        ("\u{391}\u{3C5}\u{3B3}", 8),  // Αυγ
        ("\u{3A3}\u{3B5}\u{3C0}", 9),  // Σεπ
        ("\u{39F}\u{3BA}\u{3C4}", 10),  // Οκτ
        ("\u{39D}\u{3BF}\u{3AD}", 11),  // Νοέ
        ("\u{39D}\u{3BF}\u{3B5}", 11),  // Νοε
        ("\u{394}\u{3B5}\u{3BA}", 12),  // Δεκ
    ].map { (Array($0.0.utf8), $0.1) }

    private static let greekWeekdays: [[UInt8]] = [
        "\u{39A}\u{3C5}\u{3C1}",  // Κυρ
        "\u{394}\u{3B5}\u{3C5}",  // Δευ
        "\u{3A4}\u{3C1}\u{3B9}",  // Τρι
        "\u{3A4}\u{3B5}\u{3C4}",  // Τετ
        "\u{3A0}\u{3B5}\u{3BC}",  // Πεμ
        "\u{3A0}\u{3B1}\u{3C1}",  // Παρ
        "\u{3A3}\u{3B1}\u{3B2}",  // Σαβ
    ].map { Array($0.utf8) }

    /// Hungarian month names, lower case. feedparser's table spells February "februári" and
    /// May "máujus"; the dictionary spellings are accepted too.
    private static let hungarianMonths: [([UInt8], Int)] = [
        ("janu\u{E1}r", 1),
        ("febru\u{E1}r", 2), ("febru\u{E1}ri", 2),
        ("m\u{E1}rcius", 3),
        ("\u{E1}prilis", 4),
        ("m\u{E1}jus", 5), ("m\u{E1}ujus", 5),
        ("j\u{FA}nius", 6),
        ("j\u{FA}lius", 7),
        ("augusztus", 8),
        ("szeptember", 9),
        ("okt\u{F3}ber", 10),
        ("november", 11),
        ("december", 12),
    ].map { (Array($0.0.utf8), $0.1) }
}
