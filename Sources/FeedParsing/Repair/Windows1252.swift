/// windows-1252 to UTF-8, as browsers decode it (the WHATWG table).
///
/// 0x80–0x9F are the typographic characters (0x93 → U+201C); the five bytes that windows-1252
/// leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control of the same value, as
/// in ISO-8859-1; 0xA0–0xFF are ISO-8859-1.
enum Windows1252 {
    /// The code points of 0x80–0x9F.
    private static let c1Range: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// The code point windows-1252 gives `byte`.
    @inline(__always)
    static func codePoint(of byte: UInt8) -> UInt32 {
        byte >= 0x80 && byte < 0xA0 ? UInt32(c1Range[Int(byte &- 0x80)]) : UInt32(byte)
    }

    /// Appends the UTF-8 of the character windows-1252 gives `byte`.
    @inline(__always)
    static func appendUTF8(of byte: UInt8, to output: inout [UInt8]) {
        UnicodeTranscoding.appendUTF8(codePoint(of: byte), to: &output)
    }

    /// The whole of `bytes` decoded from windows-1252, as UTF-8. ASCII runs are copied whole.
    static func decode(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            var output: [UInt8] = []
            output.reserveCapacity(buffer.count + buffer.count / 8 + 16)
            var runStart = 0
            while runStart < buffer.count {
                let index = UTF8Validation.nextNonASCII(base, from: runStart, count: buffer.count)
                output.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
                guard index < buffer.count else { break }
                appendUTF8(of: base[index], to: &output)
                runStart = index + 1
            }
            return output
        }
    }
}
