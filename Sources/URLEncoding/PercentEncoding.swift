/// Percent-encoding (RFC 3986 §2.1), written once for every URL part the program reads or
/// writes: the password of a Redis URL, the stream key of a Redis sink, the fields and path of
/// a control request.
public enum PercentEncoding {
    /// Decodes `%XX` escapes (and, with `plusAsSpace`, `+` as a space, as HTML forms write it);
    /// the decoded bytes must be UTF-8.
    ///
    /// - Throws: ``PercentDecodingError/malformedEscape`` for a `%` not followed by two hex
    ///   digits, ``PercentDecodingError/notUTF8`` when the decoded bytes are not UTF-8.
    public static func decode(
        _ encoded: some Collection<UInt8>, plusAsSpace: Bool = false
    ) throws(PercentDecodingError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(encoded.count)
        var iterator = encoded.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                decoded.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .malformedEscape
            }
            decoded.append(high << 4 | low)
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .notUTF8 }
        return text
    }

    /// Decodes the `%XX` escapes of `text`; nil when one is malformed or the bytes are not
    /// UTF-8 (see ``decode(_:plusAsSpace:)``).
    public static func decoded(_ text: some StringProtocol) -> String? {
        try? decode(text.utf8)
    }

    /// Encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) and
    /// outside `keeping` as `%XX` (upper-case hex digits).
    public static func encode(_ text: String, keeping: String = "") -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || keeping.utf8.contains(byte) {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why percent-encoded text could not be decoded.
public enum PercentDecodingError: Error, Sendable, Equatable {
    /// A `%` not followed by two hex digits.
    case malformedEscape
    /// The decoded bytes are not UTF-8.
    case notUTF8
}
