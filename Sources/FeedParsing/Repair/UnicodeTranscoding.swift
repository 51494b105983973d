/// A Unicode encoding form wider than a byte, with its byte order.
enum WideUnicodeForm: Sendable, Equatable {
    /// UTF-16, most significant byte first.
    case utf16BigEndian
    /// UTF-16, least significant byte first.
    case utf16LittleEndian
    /// UTF-32, most significant byte first.
    case utf32BigEndian
    /// UTF-32, least significant byte first.
    case utf32LittleEndian

    /// The usual name, for notes.
    var name: String {
        switch self {
        case .utf16BigEndian: "UTF-16BE"
        case .utf16LittleEndian: "UTF-16LE"
        case .utf32BigEndian: "UTF-32BE"
        case .utf32LittleEndian: "UTF-32LE"
        }
    }
}

/// UTF-16 and UTF-32 to UTF-8, by hand.
enum UnicodeTranscoding {
    /// `bytes[start...]` in `form`, as UTF-8. Unpaired surrogates, code units above U+10FFFF and
    /// a trailing partial code unit each become U+FFFD; their number is returned as `replaced`.
    static func toUTF8(_ bytes: [UInt8], from start: Int, form: WideUnicodeForm) -> (bytes: [UInt8], replaced: Int) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return ([], 0) }
            let count = buffer.count
            var output: [UInt8] = []
            var replaced = 0
            var index = start
            switch form {
            case .utf16BigEndian, .utf16LittleEndian:
                let bigEndian = form == .utf16BigEndian
                output.reserveCapacity((count - start) / 2 * 3 / 2 + 16)
                @inline(__always) func unit(_ at: Int) -> UInt32 {
                    bigEndian
                        ? UInt32(base[at]) << 8 | UInt32(base[at + 1])
                        : UInt32(base[at + 1]) << 8 | UInt32(base[at])
                }
                while index + 1 < count {
                    let first = unit(index)
                    index += 2
                    if first < 0xD800 || first > 0xDFFF {
                        appendUTF8(first, to: &output)
                    } else if first <= 0xDBFF, index + 1 < count, case let second = unit(index),
                        second >= 0xDC00 && second <= 0xDFFF
                    {
                        index += 2
                        appendUTF8(scalar(high: first, low: second), to: &output)
                    } else {
                        appendUTF8(0xFFFD, to: &output)
                        replaced += 1
                    }
                }
            case .utf32BigEndian, .utf32LittleEndian:
                let bigEndian = form == .utf32BigEndian
                output.reserveCapacity((count - start) / 4 + 16)
                while index + 3 < count {
                    let value =
                        bigEndian
                        ? UInt32(base[index]) << 24 | UInt32(base[index + 1]) << 16
                            | UInt32(base[index + 2]) << 8 | UInt32(base[index + 3])
                        : UInt32(base[index + 3]) << 24 | UInt32(base[index + 2]) << 16
                            | UInt32(base[index + 1]) << 8 | UInt32(base[index])
                    index += 4
                    if value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) {
                        appendUTF8(0xFFFD, to: &output)
                        replaced += 1
                    } else {
                        appendUTF8(value, to: &output)
                    }
                }
            }
            if index < count {  // a partial code unit at the end
                appendUTF8(0xFFFD, to: &output)
                replaced += 1
            }
            return (output, replaced)
        }
    }

    /// The scalar a UTF-16 surrogate pair stands for (`high` in D800...DBFF, `low` in DC00...DFFF).
    static func scalar(high: UInt32, low: UInt32) -> UInt32 {
        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    }

    /// Appends the UTF-8 of `scalar` (a valid Unicode scalar value).
    @inline(__always)
    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            output.append(UInt8(scalar))
        case ..<0x800:
            output.append(UInt8(0xC0 | (scalar >> 6)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        case ..<0x10000:
            output.append(UInt8(0xE0 | (scalar >> 12)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            output.append(UInt8(0xF0 | (scalar >> 18)))
            output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
