/// The cheapest repair: dropping the characters XML 1.0 forbids (C0 controls other than tab,
/// line feed and carriage return; U+FFFE and U+FFFF). Stray control characters are the most
/// common damage in real feeds, and for a document with nothing else wrong this is all the
/// second parse needs.
enum ForbiddenCharacters {
    /// `utf8` without forbidden characters, and how many were dropped; nil when there are none.
    static func removed(from utf8: [UInt8]) -> (bytes: [UInt8], count: Int)? {
        guard let first = utf8.indices.first(where: { isForbidden(utf8, at: $0) > 0 }) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count)
        output.append(contentsOf: utf8[..<first])
        var count = 0
        var index = first
        while index < utf8.count {
            let length = isForbidden(utf8, at: index)
            if length > 0 {
                count += 1
                index += length
            } else {
                output.append(utf8[index])
                index += 1
            }
        }
        return (output, count)
    }

    /// The length of the forbidden character at `index`, or 0.
    @inline(__always)
    private static func isForbidden(_ bytes: [UInt8], at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x20 { return byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0 : 1 }
        if byte == 0xEF, index + 2 < bytes.count, bytes[index + 1] == 0xBF, bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF {
            return 3
        }
        return 0
    }
}
