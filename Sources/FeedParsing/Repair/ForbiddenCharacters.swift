import CByteScan

/// The cheapest repair: dropping the characters XML 1.0 forbids (C0 controls other than tab,
/// line feed and carriage return; U+FFFE and U+FFFF). Stray control characters are the most
/// common damage in real feeds, and for a document with nothing else wrong this is all the
/// second parse needs.
enum ForbiddenCharacters {
    /// `utf8` without forbidden characters, and how many were dropped; nil when there are none.
    /// The runs between forbidden characters are copied whole.
    static func removed(from utf8: [UInt8]) -> (bytes: [UInt8], count: Int)? {
        utf8.withUnsafeBufferPointer { input in
            var output: [UInt8] = []
            var count = 0
            var runStart = 0
            var index = 0
            guard let base = input.baseAddress else { return nil }
            while true {
                // The next byte that can start one, 16 bytes a step (CByteScan).
                index = hd_next_forbidden_candidate(base, input.count, index)
                guard index < input.count else { break }
                let forbidden = length(in: input, at: index, utf8: true)
                guard forbidden > 0 else {
                    index += 1
                    continue
                }
                if count == 0 { output.reserveCapacity(input.count) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
                count += 1
                index += forbidden
                runStart = index
            }
            guard count > 0 else { return nil }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart...]))
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
