import Glibc

/// JSON `\u` escapes of UTF-16 surrogates that are not half of a pair (`"\ud800"` alone, a lone
/// `"\udc00"`). `JSONSerialization` refuses the whole document for one of them; browsers and
/// feedparser read it as U+FFFD, and so does this parser.
enum LoneSurrogates {
    /// `bytes` with each lone surrogate escape rewritten as `\ufffd` (six bytes for six, so
    /// offsets in later error messages still hold), and how many there were; nil when none.
    ///
    /// Works on UTF-8 (and ASCII-compatible) bytes: a UTF-16 or UTF-32 document is left as it is.
    /// Outside strings a backslash is invalid JSON anyway, so strings need not be tracked: every
    /// backslash starts an escape, and `\\` is skipped as one.
    static func replaced(in bytes: [UInt8]) -> (bytes: [UInt8], count: Int)? {
        var result: [UInt8]?
        var count = 0
        bytes.withUnsafeBufferPointer { input in
            var index = 0
            while index < input.count, let base = input.baseAddress,
                let found = memchr(base + index, Int32(UInt8(ascii: "\\")), input.count - index)
            {
                let backslash = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                index = backslash + 2  // past the escape's first two bytes, whatever it is
                guard backslash + 1 < input.count, input[backslash + 1] == UInt8(ascii: "u"),
                    let unit = codeUnit(input, at: backslash)
                else { continue }
                index = backslash + 6
                guard (0xD800...0xDFFF).contains(unit) else { continue }
                if unit < 0xDC00, let next = codeUnit(input, at: index), (0xDC00...0xDFFF).contains(next) {
                    index += 6  // a proper pair
                    continue
                }
                if result == nil { result = bytes }
                result?.replaceSubrange(backslash + 2..<backslash + 6, with: "fffd".utf8)
                count += 1
            }
        }
        return result.map { ($0, count) }
    }

    /// The code unit of a `\uXXXX` escape starting at `start`; nil when there is none there.
    static func codeUnit(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt16? {
        guard start + 6 <= bytes.count, bytes[start] == UInt8(ascii: "\\"), bytes[start + 1] == UInt8(ascii: "u") else {
            return nil
        }
        var unit: UInt16 = 0
        for byte in bytes[start + 2..<start + 6] {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt16(value)
        }
        return unit
    }
}
