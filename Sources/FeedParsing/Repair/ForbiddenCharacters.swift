/// The cheapest repair: dropping the characters XML 1.0 forbids (C0 controls other than tab,
/// line feed and carriage return; U+FFFE and U+FFFF). Stray control characters are the most
/// common damage in real feeds, and for a document with nothing else wrong this is all the
/// second parse needs.
enum ForbiddenCharacters {
    /// `utf8` without forbidden characters, and how many were dropped; nil when there are none.
    static func removed(from utf8: [UInt8]) -> (bytes: [UInt8], count: Int)? {
        utf8.withUnsafeBufferPointer { input in
            guard let first = input.indices.first(where: { length(in: input, at: $0, utf8: true) > 0 }) else { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(input.count)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[..<first]))
            var count = 0
            var index = first
            while index < input.count {
                let forbidden = length(in: input, at: index, utf8: true)
                if forbidden > 0 {
                    count += 1
                    index += forbidden
                } else {
                    output.append(input[index])
                    index += 1
                }
            }
            return (output, count)
        }
    }

    /// The length in bytes of the forbidden character at `index`, or 0. U+FFFE and U+FFFF
    /// are only recognised in `utf8` text (their bytes mean something else in other encodings).
    @inline(__always)
    static func length(in bytes: UnsafeBufferPointer<UInt8>, at index: Int, utf8: Bool) -> Int {
        let byte = bytes[index]
        if byte < 0x20 { return byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0 : 1 }
        if byte == 0xEF, utf8, index + 2 < bytes.count, bytes[index + 1] == 0xBF,
            bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF
        {
            return 3
        }
        return 0
    }
}
