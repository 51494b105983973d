/// A read position over the UTF-8 bytes of one date string.
///
/// Every date scanner in this folder walks one of these. `peek` answers `0` past the end, so
/// a scanner can test the next byte without a bounds check of its own (a NUL in the input
/// matches nothing and leaves the cursor short of its end, so such a string never parses).
struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    var end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.index = 0
        self.end = bytes.count
    }

    var isAtEnd: Bool { index >= end }

    /// The byte `offset` places ahead, or 0 past the end.
    @inline(__always)
    func peek(_ offset: Int = 0) -> UInt8 {
        let position = index + offset
        return position < end ? bytes[position] : 0
    }

    @inline(__always)
    mutating func advance(_ count: Int = 1) {
        index += count
    }

    /// Steps over `byte` when it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    // MARK: Whitespace

    /// The length of the whitespace at `position` (ASCII space, tab, CR, LF, VT, FF, or a
    /// UTF-8 no-break space), 0 when there is none.
    @inline(__always)
    func whitespaceLength(at position: Int) -> Int {
        guard position < end else { return 0 }
        switch bytes[position] {
        case 0x20, 0x09...0x0D: return 1
        case 0xC2 where position + 1 < end && bytes[position + 1] == 0xA0: return 2
        default: return 0
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while true {
            let length = whitespaceLength(at: index)
            guard length > 0 else { return }
            index += length
        }
    }

    /// Skips whitespace and commas, which RFC 822-style dates scatter freely.
    @inline(__always)
    mutating func skipWhitespaceAndCommas() {
        while true {
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            let length = whitespaceLength(at: index)
            guard length > 0 else { return }
            index += length
        }
    }

    /// Drops leading and trailing whitespace from the part still to be read.
    mutating func trimWhitespace() {
        skipWhitespace()
        while end > index {
            if bytes[end - 1] <= 0x20, whitespaceLength(at: end - 1) == 1 {
                end -= 1
            } else if end - 2 >= index, bytes[end - 2] == 0xC2, bytes[end - 1] == 0xA0 {
                end -= 2
            } else {
                return
            }
        }
    }

    // MARK: Digits

    /// How many ASCII digits follow.
    @inline(__always)
    func digitCount() -> Int {
        var position = index
        while position < end, bytes[position].isASCIIDigit { position += 1 }
        return position - index
    }

    /// Reads exactly `count` digits the caller has already seen.
    @inline(__always)
    mutating func readDigits(_ count: Int) -> Int {
        var value = 0
        for _ in 0..<count {
            value = value &* 10 &+ Int(bytes[index] &- 0x30)
            index += 1
        }
        return value
    }

    /// Reads a whole run of digits when its length is within `allowed`; otherwise reads
    /// nothing and answers nil.
    @inline(__always)
    mutating func readNumber(digits allowed: ClosedRange<Int>) -> Int? {
        var position = index
        var value = 0
        while position < end, bytes[position].isASCIIDigit {
            value = value &* 10 &+ Int(bytes[position] &- 0x30)  // wraps only for runs too long anyway
            position += 1
        }
        guard allowed.contains(position - index) else { return nil }
        index = position
        return value
    }

    // MARK: Words

    /// Reads a run of letters: ASCII letters or any non-ASCII UTF-8 bytes other than a
    /// no-break space. Answers the byte range read (empty when no letter is next).
    mutating func readWord() -> Range<Int> {
        let start = index
        while index < end {
            let byte = bytes[index]
            if byte.isASCIILetter || (byte >= 0x80 && whitespaceLength(at: index) == 0) {
                index += 1
            } else {
                break
            }
        }
        return start..<index
    }

    /// Whether the bytes in `range` are exactly the UTF-8 bytes of `word`.
    func bytes(in range: Range<Int>, equal word: [UInt8]) -> Bool {
        guard range.count == word.count else { return false }
        var position = range.lowerBound
        for byte in word {
            guard bytes[position] == byte else { return false }
            position += 1
        }
        return true
    }
}

extension UInt8 {
    @inline(__always)
    var isASCIIDigit: Bool { self &- 0x30 < 10 }

    @inline(__always)
    var isASCIILetter: Bool { (self | 0x20) &- 0x61 < 26 }

    @inline(__always)
    var asciiLowercased: UInt8 { isASCIILetter ? self | 0x20 : self }
}
