/// The month and weekday names feed dates spell out: English (matched, as feedparser does, on
/// their first three letters in any case, so "Sept", "January" and "THU" all count), plus the
/// Greek and Hungarian spellings feedparser knows, which must match exactly.
enum MonthAndWeekdayNames {
    /// The month (1...12) the word in `range` names, or nil.
    static func month(_ cursor: ByteCursor, _ range: Range<Int>) -> Int? {
        if range.count >= 3, cursor.bytes[range.lowerBound] < 0x80 {
            return englishMonth(threeLetters(cursor, range.lowerBound))
        }
        for (name, month) in greekMonths where cursor.bytes(in: range, equal: name) { return month }
        return nil
    }

    /// Whether the word in `range` names a day of the week.
    static func isWeekday(_ cursor: ByteCursor, _ range: Range<Int>) -> Bool {
        if range.count >= 3, cursor.bytes[range.lowerBound] < 0x80 {
            return isEnglishWeekday(threeLetters(cursor, range.lowerBound))
        }
        return greekWeekdays.contains { cursor.bytes(in: range, equal: $0) }
    }

    /// The month (1...12) a Hungarian month name in `range` gives, or nil.
    static func hungarianMonth(_ cursor: ByteCursor, _ range: Range<Int>) -> Int? {
        for (name, month) in hungarianMonths where cursor.bytes(in: range, equal: name) { return month }
        return nil
    }

    /// The three bytes at `start`, lower-cased as letters are (`| 0x20`), in one number: `Jan`
    /// and `JAN` give 0x6A616E, as `jan` does.
    @inline(__always)
    private static func threeLetters(_ cursor: ByteCursor, _ start: Int) -> UInt32 {
        UInt32(cursor.bytes[start] | 0x20) << 16 | UInt32(cursor.bytes[start + 1] | 0x20) << 8
            | UInt32(cursor.bytes[start + 2] | 0x20)
    }

    /// The month (1...12) whose English name starts with these three letters.
    private static func englishMonth(_ letters: UInt32) -> Int? {
        switch letters {
        case 0x6A616E: 1  // jan
        case 0x666562: 2  // feb
        case 0x6D6172: 3  // mar
        case 0x617072: 4  // apr
        case 0x6D6179: 5  // may
        case 0x6A756E: 6  // jun
        case 0x6A756C: 7  // jul
        case 0x617567: 8  // aug
        case 0x736570: 9  // sep
        case 0x6F6374: 10  // oct
        case 0x6E6F76: 11  // nov
        case 0x646563: 12  // dec
        default: nil
        }
    }

    /// Whether an English weekday name starts with these three letters.
    private static func isEnglishWeekday(_ letters: UInt32) -> Bool {
        switch letters {
        case 0x6D6F6E, 0x747565, 0x776564, 0x746875, 0x667269, 0x736174, 0x73756E: true  // mon…sun
        default: false
        }
    }

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
