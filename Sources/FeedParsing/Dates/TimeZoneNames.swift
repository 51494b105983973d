/// The UTC offsets of the zone names feed dates use.
///
/// The table holds every name feedparser knows, with feedparser's values, plus `UTC` and a
/// few unambiguous abbreviations feedparser lacks (CET, EET, JST, AEST, ...). Like feedparser,
/// a name in no table counts as UTC (see `TimeZoneScanner`).
///
/// Military letters follow feedparser, which follows the letter of RFC 822: `A` is UTC-1, `N`
/// UTC+1, `M` UTC-12, `Y` UTC+12, `Z` UTC; the other letters are unknown names, so UTC.
/// (RFC 822 got the signs backwards; RFC 2822 says to read them all as UTC.)
enum TimeZoneNames {
    /// The offset east of UTC, in seconds, of the zone `key` names, or nil when it is unknown.
    static func offsetSeconds(_ key: LowercaseWordKey) -> Int? {
        offsetMinutes(key).map { $0 * 60 }
    }

    /// Whether `key` is a name for UTC that may carry an offset after it ("GMT+2", "UTC-05:00").
    static func isUniversalPrefix(_ key: LowercaseWordKey) -> Bool {
        switch key {
        case "gmt", "utc", "ut": return true
        default: return false
        }
    }

    private static func offsetMinutes(_ key: LowercaseWordKey) -> Int? {
        switch key {
        // feedparser's names (rfc822.py).
        case "gmt", "ut", "z": return 0
        case "est", "et": return -5 * 60
        case "edt": return -4 * 60
        case "pst", "pt": return -8 * 60
        case "pdt": return -7 * 60
        case "cst", "ct": return -6 * 60
        case "cdt": return -5 * 60
        case "mst", "mt": return -7 * 60
        case "mdt": return -6 * 60
        case "ast", "at": return -4 * 60
        case "adt": return -3 * 60
        case "met": return 1 * 60
        case "mest": return 2 * 60
        case "a": return -1 * 60
        case "n": return 1 * 60
        case "m": return -12 * 60
        case "y": return 12 * 60
        // Not in feedparser (which reads them as UTC): unambiguous names seen in feeds.
        case "utc", "wet": return 0
        case "west", "cet": return 1 * 60
        case "cest", "eet": return 2 * 60
        case "eest", "msk": return 3 * 60
        case "hkt", "awst": return 8 * 60
        case "jst", "kst": return 9 * 60
        case "acst": return 9 * 60 + 30
        case "acdt": return 10 * 60 + 30
        case "aest": return 10 * 60
        case "aedt": return 11 * 60
        case "nzst": return 12 * 60
        case "nzdt": return 13 * 60
        case "hst": return -10 * 60
        case "akst": return -9 * 60
        case "akdt": return -8 * 60
        default: return nil
        }
    }
}
