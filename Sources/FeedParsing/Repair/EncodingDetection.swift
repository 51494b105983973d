#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// What the first bytes of a document say about its encoding (XML 1.0 appendix F).
enum ByteSignature: Sendable, Equatable {
    /// No byte order mark and no wide pattern: an ASCII-compatible encoding.
    case none
    /// A UTF-8 byte order mark (3 bytes).
    case utf8BOM
    /// A UTF-16 or UTF-32 byte order mark (`bomLength` bytes), or without one, the zero bytes
    /// of ASCII characters in that form (`bomLength` 0).
    case wide(WideUnicodeForm, bomLength: Int)
    /// `<?xm` in EBCDIC.
    case ebcdic

    /// Reads the first four bytes.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        @inline(__always) func at(_ index: Int) -> Int { index < count ? Int(bytes[index]) : -1 }
        let (b0, b1, b2, b3) = (at(0), at(1), at(2), at(3))
        // As feedparser: UTF-32 marks before UTF-16, whose LE mark is a prefix of UTF-32LE's.
        if b0 == 0 && b1 == 0 && b2 == 0xFE && b3 == 0xFF {
            self = .wide(.utf32BigEndian, bomLength: 4)
        } else if b0 == 0xFF && b1 == 0xFE && b2 == 0 && b3 == 0 {
            self = .wide(.utf32LittleEndian, bomLength: 4)
        } else if b0 == 0xFE && b1 == 0xFF {
            self = .wide(.utf16BigEndian, bomLength: 2)
        } else if b0 == 0xFF && b1 == 0xFE {
            self = .wide(.utf16LittleEndian, bomLength: 2)
        } else if b0 == 0xEF && b1 == 0xBB && b2 == 0xBF {
            self = .utf8BOM
        } else if b0 == 0x4C && b1 == 0x6F && b2 == 0xA7 && b3 == 0x94 {
            self = .ebcdic
        } else {
            // No mark: an ASCII character (`<`, or white space) with zero bytes around it.
            func ascii(_ byte: Int) -> Bool { byte > 0 && byte < 0x80 }
            if b0 == 0 && b1 == 0 && b2 == 0 && ascii(b3) {
                self = .wide(.utf32BigEndian, bomLength: 0)
            } else if ascii(b0) && b1 == 0 && b2 == 0 && b3 == 0 {
                self = .wide(.utf32LittleEndian, bomLength: 0)
            } else if b0 == 0 && ascii(b1) && b2 == 0 && ascii(b3) {
                self = .wide(.utf16BigEndian, bomLength: 0)
            } else if ascii(b0) && b1 == 0 && ascii(b2) && b3 == 0 {
                self = .wide(.utf16LittleEndian, bomLength: 0)
            } else {
                self = .none
            }
        }
    }
}

/// Finding the declared encoding and checking that a decoder exists for it.
enum EncodingDetection {
    /// The `encoding` of the XML declaration: the first `<?xml` in the first kilobyte (a
    /// declaration after a comment is still read), up to its `>`. Nil when there is none. The
    /// bytes must be ASCII-compatible.
    static func declaredEncoding(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let end = min(bytes.count, 1024)
        guard let open = find(Array("<?xml".utf8), in: bytes, from: 0, to: end) else { return nil }
        var index = open + 5
        guard index < end, isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "?") else { return nil }
        let key = Array("encoding".utf8)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") { return nil }
            if byte == key[0], index + key.count <= end,
                (0..<key.count).allSatisfy({ bytes[index + $0] == key[$0] })
            {
                index += key.count
                while index < end && isSpace(bytes[index]) { index += 1 }
                guard index < end, bytes[index] == UInt8(ascii: "=") else { continue }
                index += 1
                while index < end && isSpace(bytes[index]) { index += 1 }
                guard index < end, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return nil }
                let quote = bytes[index]
                let valueStart = index + 1
                var valueEnd = valueStart
                while valueEnd < end && bytes[valueEnd] != quote && valueEnd - valueStart < 64 { valueEnd += 1 }
                guard valueEnd < end, bytes[valueEnd] == quote else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    /// Whether libxml2 will find a decoder for `name`: it asks iconv after its own table, so a
    /// name iconv opens is one libxml2 decodes. Answers are remembered (a bounded number).
    static func decoderExists(for name: String) -> Bool {
        guard name.utf8.count <= 40,
            name.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                    || "-_.:()+".utf8.contains(byte)
            })
        else { return false }
        let key = name.uppercased()
        if let known = knownDecoders.withLock({ $0[key] }) { return known }
        #if canImport(Glibc) || canImport(Darwin)
            let descriptor = iconv_open("UTF-8", key)
            let exists = descriptor != iconv_t(bitPattern: -1)
            if exists { iconv_close(descriptor) }
        #else
            let exists = true
        #endif
        knownDecoders.withLock { table in
            if table.count < 256 { table[key] = exists }
        }
        return exists
    }

    private static let knownDecoders = Mutex<[String: Bool]>([:])

    /// Whether `byte` is XML white space (space, tab, LF, CR).
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The offset of `needle` in `haystack[from..<to]`.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let first = needle.first, to - from >= needle.count else { return nil }
        var index = from
        while index + needle.count <= to {
            if haystack[index] == first && (1..<needle.count).allSatisfy({ haystack[index + $0] == needle[$0] }) {
                return index
            }
            index += 1
        }
        return nil
    }
}
