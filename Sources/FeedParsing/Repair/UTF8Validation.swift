/// What a scan of bytes as UTF-8 found.
enum UTF8Scan: Equatable, Sendable {
    /// Every byte is below 0x80.
    case ascii
    /// Well-formed UTF-8 with at least one multi-byte sequence.
    case valid
    /// Not UTF-8: the first byte of the first ill-formed sequence is at this offset.
    case invalid(firstBad: Int)
}

/// UTF-8 validation at memory speed, and repair of the sequences that are not UTF-8.
///
/// Well-formed means RFC 3629: no overlong forms, no surrogates (U+D800–U+DFFF), nothing
/// above U+10FFFF.
enum UTF8Validation {
    /// Scans `bytes` from `start`: ASCII runs a word at a time (``nextNonASCII(_:from:count:)``),
    /// then each multi-byte sequence.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> UTF8Scan {
        guard let base = bytes.baseAddress else { return .ascii }
        let count = bytes.count
        var index = start
        var sawMultiByte = false
        while index < count {
            index = nextNonASCII(base, from: index, count: count)
            guard index < count else { break }
            let length = sequenceLength(base, index, count)
            if length == 0 { return .invalid(firstBad: index) }
            sawMultiByte = true
            index &+= length
        }
        return sawMultiByte ? .valid : .ascii
    }

    /// The offset of the first byte ≥ 0x80 at or after `index` (`count` when there is none):
    /// four words per step, then one word per step.
    @inline(__always)
    static func nextNonASCII(_ base: UnsafePointer<UInt8>, from index: Int, count: Int) -> Int {
        let high: UInt64 = 0x8080_8080_8080_8080
        var index = index
        while index &+ 32 <= count {
            let raw = UnsafeRawPointer(base + index)
            let a = raw.loadUnaligned(as: UInt64.self)
            let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let c = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
            let d = raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            if (a | b | c | d) & high != 0 { break }
            index &+= 32
        }
        while index &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let mask = word & high
            if mask != 0 { return index &+ mask.trailingZeroBitCount >> 3 }
            index &+= 8
        }
        while index < count && base[index] < 0x80 { index &+= 1 }
        return index
    }

    /// Scans an array (see ``scan(_:from:)``).
    static func scan(_ bytes: [UInt8]) -> UTF8Scan {
        bytes.withUnsafeBufferPointer { scan($0) }
    }

    /// The length of the well-formed multi-byte sequence whose lead byte (≥ 0x80) is at
    /// `index`, or 0 when the bytes there are not one.
    @inline(__always)
    static func sequenceLength(_ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> Int {
        let lead = base[index]
        @inline(__always) func continuation(_ offset: Int) -> Bool {
            index &+ offset < count && base[index &+ offset] & 0xC0 == 0x80
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0...0xEF:
            guard index &+ 2 < count else { return 0 }
            let second = base[index &+ 1]
            let lower: UInt8 = lead == 0xE0 ? 0xA0 : 0x80  // no overlongs
            let upper: UInt8 = lead == 0xED ? 0x9F : 0xBF  // no surrogates
            guard second >= lower && second <= upper, continuation(2) else { return 0 }
            return 3
        case 0xF0...0xF4:
            guard index &+ 3 < count else { return 0 }
            let second = base[index &+ 1]
            let lower: UInt8 = lead == 0xF0 ? 0x90 : 0x80  // no overlongs
            let upper: UInt8 = lead == 0xF4 ? 0x8F : 0xBF  // nothing above U+10FFFF
            guard second >= lower && second <= upper, continuation(2), continuation(3) else { return 0 }
            return 4
        default:
            return 0
        }
    }

    /// Copies `bytes` keeping every well-formed sequence and reading each byte that is not part
    /// of one as windows-1252. `firstBad` is where ``scan(_:from:)`` stopped (everything before
    /// it is copied as is); `start` skips a byte order mark. Returns the UTF-8 and how many
    /// bytes were read as windows-1252.
    static func repair(_ bytes: [UInt8], from start: Int, firstBad: Int) -> (bytes: [UInt8], replaced: Int) {
        bytes.withUnsafeBufferPointer { buffer -> ([UInt8], Int) in
            guard let base = buffer.baseAddress else { return ([], 0) }
            let count = buffer.count
            var output: [UInt8] = []
            output.reserveCapacity(count - start + (count - firstBad) / 4 + 16)
            output.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstBad - start))
            var replaced = 0
            var index = firstBad
            while index < count {
                // Everything from `index` up to the next bad byte is well-formed: copy it whole.
                guard case .invalid(let bad) = scan(buffer, from: index) else {
                    output.append(contentsOf: UnsafeBufferPointer(start: base + index, count: count - index))
                    break
                }
                output.append(contentsOf: UnsafeBufferPointer(start: base + index, count: bad - index))
                Windows1252.appendUTF8(of: base[bad], to: &output)
                replaced += 1
                index = bad + 1
            }
            return (output, replaced)
        }
    }
}
