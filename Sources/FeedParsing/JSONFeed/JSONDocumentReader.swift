import CByteScan
import Foundation

/// The short way through a JSON Feed: a UTF-8 document whose root is an object, read in one
/// pass into the values `JSONSerialization` would give for it (`[String: Any]`, `[Any]`,
/// `String`, `NSNumber`, `NSNull`), so ``JSONFeedReader`` reads both alike.
///
/// `JSONSerialization` builds every string by appending the pieces between escapes one by one,
/// and feeds carry whole articles as escaped HTML: on a real 373 KB feed it ran at ~120 MB/s.
/// Here the bytes between escapes are found 16 at a time (`hd_json_next_escape`) and copied
/// whole.
///
/// Anything off the common path gives nil, and the caller reads the document with
/// `JSONSerialization` as before, so errors, warnings and repairs stay exactly its own: invalid
/// JSON, bytes that are not UTF-8, a byte order mark, a lone UTF-16 surrogate escape (see
/// ``LoneSurrogates``), a key given twice in one object, nesting deeper than
/// ``maximumDepth``, a trailing comma (which `JSONSerialization` takes), and a U+FEFF at the
/// start of a string or right after an escape (which `JSONSerialization` drops: it decodes
/// each run between escapes as a document that may start with a byte order mark). Numbers (a
/// few per item at most) are read by `JSONSerialization` itself, token by token, so their
/// `NSNumber` types are its own.
enum JSONDocumentReader {
    /// Deeper documents go the long way (JSON Feeds nest four or five levels).
    static let maximumDepth = 64

    /// JSON's white space: space, line feed, carriage return, tab.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The root object of `bytes`, or nil to say: read it with `JSONSerialization`.
    static func rootObject(_ bytes: [UInt8]) -> [String: Any]? {
        bytes.withUnsafeBufferPointer { buffer -> [String: Any]? in
            guard buffer.baseAddress != nil else { return nil }
            var reader = Cursor(buffer)
            reader.skipWhitespace()
            guard reader.peek() == UInt8(ascii: "{"), let root = reader.object(depth: 1) else { return nil }
            reader.skipWhitespace()
            return reader.index == reader.end ? root : nil
        }
    }

    /// One pass over the document; every method returns nil at the first thing it does not take.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let base: UnsafePointer<UInt8>
        let end: Int
        var index = 0
        /// Reused for strings with escapes.
        var scratch: [UInt8] = []

        /// `bytes` must not be empty.
        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            base = bytes.baseAddress!
            end = bytes.count
        }

        func peek() -> UInt8? { index < end ? base[index] : nil }

        mutating func skipWhitespace() {
            while index < end, JSONDocumentReader.isWhitespace(base[index]) { index += 1 }
        }

        /// Consumes `byte` (after white space); false when something else is there.
        mutating func expect(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < end, base[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func value(depth: Int) -> Any? {
            skipWhitespace()
            guard let first = peek() else { return nil }
            switch first {
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "{"): return object(depth: depth + 1)
            case UInt8(ascii: "["): return array(depth: depth + 1)
            case UInt8(ascii: "t"): return literal("true", NSNumber(value: true))
            case UInt8(ascii: "f"): return literal("false", NSNumber(value: false))
            case UInt8(ascii: "n"): return literal("null", NSNull())
            default: return number()
            }
        }

        /// An object at `index` (its `{`).
        mutating func object(depth: Int) -> [String: Any]? {
            guard depth <= JSONDocumentReader.maximumDepth else { return nil }
            index += 1
            var object: [String: Any] = [:]
            if expect(UInt8(ascii: "}")) { return object }
            repeat {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\""), let key = string(), expect(UInt8(ascii: ":")),
                    let value = value(depth: depth)
                else { return nil }
                guard object.updateValue(value, forKey: key) == nil else { return nil }  // a repeated key
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "}")) ? object : nil
        }

        /// An array at `index` (its `[`).
        mutating func array(depth: Int) -> [Any]? {
            guard depth <= JSONDocumentReader.maximumDepth else { return nil }
            index += 1
            var array: [Any] = []
            if expect(UInt8(ascii: "]")) { return array }
            repeat {
                guard let element = value(depth: depth) else { return nil }
                array.append(element)
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "]")) ? array : nil
        }

        mutating func literal(_ word: StaticString, _ value: Any) -> Any? {
            let count = word.utf8CodeUnitCount
            guard end - index >= count, memcmp(base + index, word.utf8Start, count) == 0 else { return nil }
            index += count
            return value
        }

        /// A number token, read by `JSONSerialization` so that its `NSNumber` is the one it makes.
        mutating func number() -> Any? {
            let start = index
            while index < end, Self.isNumberByte(base[index]) { index += 1 }
            guard index > start else { return nil }
            let token = Data(UnsafeBufferPointer(start: base + start, count: index - start))
            guard let number = try? JSONSerialization.jsonObject(with: token, options: [.fragmentsAllowed]),
                number is NSNumber
            else { return nil }
            return number
        }

        private static func isNumberByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                true
            default:
                false
            }
        }

        /// A string at `index` (its opening quote). Runs between escapes are copied whole.
        mutating func string() -> String? {
            index += 1
            var run = index
            var escaped = false
            while true {
                // JSONSerialization drops a byte order mark that starts a run between escapes.
                if end - run >= 3 && base[run] == 0xEF && base[run + 1] == 0xBB && base[run + 2] == 0xBF { return nil }
                let next = run + hd_json_next_escape(base + run, end - run)
                guard next < end else { return nil }  // never closed
                let byte = base[next]
                if byte == UInt8(ascii: "\"") {
                    let tail = UnsafeBufferPointer(start: base + run, count: next - run)
                    index = next + 1
                    guard escaped else { return String(validating: tail, as: UTF8.self) }
                    scratch.append(contentsOf: tail)
                    return String(validating: scratch, as: UTF8.self)
                }
                guard byte == UInt8(ascii: "\\") else { return nil }  // a raw control character
                if !escaped {
                    escaped = true
                    scratch.removeAll(keepingCapacity: true)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + run, count: next - run))
                guard let after = unescape(at: next) else { return nil }
                run = after
            }
        }

        /// Appends the character the escape at `at` (its backslash) stands for; where the bytes
        /// after it start, or nil for an escape JSON does not have or a lone surrogate.
        mutating func unescape(at: Int) -> Int? {
            guard at + 1 < end else { return nil }
            let simple: UInt8
            switch base[at + 1] {
            case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
            case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"):
                guard let unit = LoneSurrogates.codeUnit(bytes, at: at).map(UInt32.init) else { return nil }
                var scalar = unit
                var after = at + 6
                if (0xD800...0xDBFF).contains(unit) {
                    guard let low = LoneSurrogates.codeUnit(bytes, at: after).map(UInt32.init), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    scalar = UnicodeTranscoding.scalar(high: unit, low: low)
                    after += 6
                } else if (0xDC00...0xDFFF).contains(unit) {
                    return nil
                }
                UnicodeTranscoding.appendUTF8(scalar, to: &scratch)
                return after
            default:
                return nil
            }
            scratch.append(simple)
            return at + 2
        }
    }
}
