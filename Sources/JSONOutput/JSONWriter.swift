/// Writes JSON by hand, keys in the order given: fast, and stable for people reading diffs.
public struct JSONWriter {
    /// The JSON written so far.
    public private(set) var output = ""
    private var needsComma = false

    public init() {}

    public mutating func beginObject() { separator(); output += "{"; needsComma = false }
    public mutating func endObject() { output += "}"; needsComma = true }
    public mutating func beginArray() { separator(); output += "["; needsComma = false }
    public mutating func endArray() { output += "]"; needsComma = true }

    public mutating func key(_ name: String) {
        separator()
        appendString(name)
        output += ":"
        needsComma = false
    }

    public mutating func string(_ value: String?) {
        separator()
        if let value { appendString(value) } else { output += "null" }
        needsComma = true
    }

    public mutating func integer<T: BinaryInteger>(_ value: T?) {
        separator()
        output += value.map { String($0) } ?? "null"
        needsComma = true
    }

    /// `true`, `false`, or `null` for nil.
    public mutating func bool(_ value: Bool?) {
        separator()
        output += value.map { $0 ? "true" : "false" } ?? "null"
        needsComma = true
    }

    /// `"name":true`, `false`, or `null` for nil.
    public mutating func field(_ name: String, bool value: Bool?) {
        key(name)
        bool(value)
    }

    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        string(value)
    }

    /// `"name":value`, `null` for nil.
    public mutating func field<T: BinaryInteger>(_ name: String, integer value: T?) {
        key(name)
        integer(value)
    }

    public mutating func field(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for value in strings { string(value) }
        endArray()
    }

    /// JSON values (each written by a writer) as one array with a value a line, indented, for
    /// arrays people read in a terminal; `[]` when there are none.
    public static func arrayOnePerLine(_ values: [String]) -> String {
        values.isEmpty ? "[]" : "[\n  " + values.joined(separator: ",\n  ") + "\n]"
    }

    private mutating func separator() {
        if needsComma { output += "," }
    }

    private mutating func appendString(_ value: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 2)
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        output += String(decoding: bytes, as: UTF8.self)
    }
}
