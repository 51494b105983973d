import Foundation

/// Questions about the values `JSONSerialization` returns (``JSONDocumentReader`` gives the same
/// kinds), for ``JSONFeedParser``.
enum JSONValue {
    /// `true` and `false` come back as `NSNumber`s of Objective-C type `c`.
    static func isBoolean(_ number: NSNumber) -> Bool {
        number.objCType.pointee == CChar(UInt8(ascii: "c"))
    }

    private static func isFloatingPoint(_ number: NSNumber) -> Bool {
        let type = number.objCType.pointee
        return type == CChar(UInt8(ascii: "d")) || type == CChar(UInt8(ascii: "f"))
    }

    /// The number as feedparser's `coerce_scalar` writes it: `true`/`false`, integers in decimal,
    /// floats as Python's `repr` (`1.0`, `1e+16`).
    static func string(of number: NSNumber) -> String {
        if isBoolean(number) { return number.boolValue ? "true" : "false" }
        if isFloatingPoint(number) {
            let value = number.doubleValue
            // Swift switches to exponent form at 2^53, Python at 1e16; values between are integral.
            if value.magnitude >= 9_007_199_254_740_992 && value.magnitude < 1e16 { return "\(Int64(value)).0" }
            return value.description
        }
        if number.objCType.pointee == CChar(UInt8(ascii: "Q")) { return String(number.uint64Value) }
        return String(number.int64Value)
    }

    /// The number as a whole `Int64`, when it is one.
    static func int64(_ number: NSNumber) -> Int64? {
        if isFloatingPoint(number) { return Int64(exactly: number.doubleValue) }
        if number.objCType.pointee == CChar(UInt8(ascii: "Q")) { return Int64(exactly: number.uint64Value) }
        return number.int64Value
    }

    /// "an array", "a string", … for error messages.
    static func kind(of value: Any) -> String {
        switch value {
        case is [Any]: return "an array"
        case is String: return "a string"
        case is NSNull: return "null"
        case let number as NSNumber: return isBoolean(number) ? "a boolean" : "a number"
        default: return "an unexpected value"
        }
    }
}
