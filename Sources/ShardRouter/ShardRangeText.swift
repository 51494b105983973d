/// `FIRST-LAST`, the text of a range of feed IDs, and a feed ID alone: the one reader of both,
/// for the lines of `shards.conf` (which report a ``ShardMapError`` with the line) and the
/// arguments of `hubdiffer shards`. Writing is ``Swift/ClosedRange/shardText``.
///
/// Text that could be a password (anything but digits and number punctuation) is never
/// repeated in a problem.
public enum ShardRangeText {
    /// `FIRST-LAST`: two decimal IDs in `0...Int64.max`, FIRST ≤ LAST, no spaces.
    public static func bounds(_ text: some StringProtocol) throws(ShardRangeTextProblem) -> ClosedRange<Int64> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        // A '-' in front of a number is a negative ID: "-5-10" or "5--10".
        if parts.count == 3, parts[0].isEmpty || parts[1].isEmpty {
            let negative = parts[0].isEmpty ? parts[1] : parts[2]
            if !negative.isEmpty, negative.utf8.allSatisfy(RedisURL.isDigit) {
                throw .negativeID("-" + shortened(Substring(negative)))
            }
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .notARange(safeText(Substring(text)))
        }
        let first = try feedID(parts[0])
        let last = try feedID(parts[1])
        guard first <= last else { throw .reversed(first: first, last: last) }
        return first...last
    }

    /// A decimal feed ID in `0...Int64.max`.
    public static func feedID(_ text: some StringProtocol) throws(ShardRangeTextProblem) -> Int64 {
        guard !text.isEmpty, text.utf8.allSatisfy(RedisURL.isDigit) else { throw .notDigits(safeText(Substring(text))) }
        guard let id = Int64(text) else { throw .tooLarge(shortened(Substring(text))) }
        return id
    }

    /// The text, when it is short and made only of digits and number punctuation
    /// (`- + _ , . '`); nil otherwise, since anything else could be a misplaced password.
    static func safeText(_ text: Substring) -> String? {
        guard text.unicodeScalars.count <= 40,
            text.utf8.allSatisfy({ byte in RedisURL.isDigit(byte) || "-+_,.'".utf8.contains(byte) })
        else { return nil }
        return String(text)
    }

    /// A digit string for a message, cut short when long.
    private static func shortened(_ digits: Substring) -> String {
        digits.count <= 24 ? String(digits) : String(digits.prefix(24)) + "…"
    }
}

/// Why a text is not a range of feed IDs or a feed ID. The description says what to write
/// instead.
public enum ShardRangeTextProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// A feed ID with a minus sign (the digits, shown).
    case negativeID(String)
    /// Not two numbers joined by one `-` (the text when it is safe to show).
    case notARange(String?)
    /// Not decimal digits (the text when it is safe to show).
    case notDigits(String?)
    /// Above `Int64.max` (the digits, shortened).
    case tooLarge(String)
    /// FIRST is above LAST.
    case reversed(first: Int64, last: Int64)

    public var description: String {
        switch self {
        case .negativeID(let text):
            "\(text) is a negative feed ID: feed IDs run from 0 to \(Int64.max)"
        case .notARange(let text):
            "\(text.map { "`\($0)`" } ?? "the text (not shown: it holds more than digits)") is not a range: "
                + "write two feed IDs joined by '-' with no spaces, as in 0-999"
        case .notDigits(let text):
            "\(text.map { "`\($0)` is not a decimal feed ID" } ?? "holds something other than digits"): "
                + "write feed IDs as digits only, from 0 to \(Int64.max)"
        case .tooLarge(let digits):
            "\(digits) is above \(Int64.max), the highest feed ID"
        case .reversed(let first, let last):
            "\(first)-\(last) is reversed (FIRST > LAST): write it as \(last)-\(first)"
        }
    }
}
