/// Up to eight lower-cased ASCII letters packed into one integer, so the name tables compare
/// words without building a `String`. Written as a literal (`"gmt"`) it can be a `case` of a
/// `switch`, which the optimiser reduces to integer comparisons.
struct LowercaseWordKey: Hashable, Sendable, ExpressibleByStringLiteral {
    let packed: UInt64

    /// The key of the letters in `range`, or nil when the range is empty, longer than eight
    /// bytes, or holds anything but ASCII letters.
    init?(_ cursor: ByteCursor, _ range: Range<Int>) {
        guard !range.isEmpty, range.count <= 8 else { return nil }
        var packed: UInt64 = 0
        for position in range {
            let byte = cursor.bytes[position]
            guard byte.isASCIILetter else { return nil }
            packed = packed << 8 | UInt64(byte | 0x20)
        }
        self.packed = packed
    }

    /// The key of a word written in source; it must be one to eight ASCII letters.
    @inline(__always)
    init(stringLiteral word: StaticString) {
        var packed: UInt64 = 0
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for offset in 0..<count {
            packed = packed << 8 | UInt64(start[offset] | 0x20)
        }
        self.packed = packed
    }
}
