import Foundation
import Testing

@testable import FeedParsing

/// The short way through JSON must give exactly what `JSONSerialization` gives, and must
/// decline every document whose reading depends on `JSONSerialization`'s own errors or on the
/// repairs the parser makes before it.
@Suite("JSON document reader")
struct JSONDocumentReaderTests {
    /// A value written out with its types and every Unicode scalar, so that two readings compare
    /// equal only when they are the same values (Swift's `String ==` would equate canonically
    /// equivalent spellings).
    static func canonical(_ value: Any) -> String {
        switch value {
        case let string as String:
            return "s(" + string.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ") + ")"
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { canonical($0) + ":" + canonical(object[$0]!) }.joined(separator: ",") + "}"
        case let array as [Any]:
            return "[" + array.map(canonical).joined(separator: ",") + "]"
        case is NSNull:
            return "null"
        case let number as NSNumber:
            return "n(\(numberKind(number)) \(number))"
        default:
            return "?\(type(of: value))"
        }
    }

    /// The Objective-C type of a number, with the signed integer widths as one. Foundation shares
    /// one `NSNumber` for each small integer (type `i`), and threads that read numbers while that
    /// cache fills can get a `q` for the same value: CI saw both for one `1`, and eight threads
    /// reading 0…19 at once see 56–58 `q`s in 160 readings, run to run. HubDiffer reads every
    /// signed width alike (``JSONValue``); a boolean (`c`), a float (`d`, `f`) and an unsigned
    /// 64-bit number (`Q`) stay apart.
    static func numberKind(_ number: NSNumber) -> String {
        let type = String(cString: number.objCType)
        return ["s", "i", "l", "q"].contains(type) ? "signed" : type
    }

    static func serialization(_ json: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
    }

    /// Values of every kind the reader takes, escapes at every place in a string.
    static let values: [String] = [
        #""""#, #""plain text""#, #""caf\u00e9 \u00E9t\u00e9""#, #""\"quoted\" \\ back\/slash""#,
        #""\b\f\n\r\t""#, #""\ud83d\ude00 pair, \u0000 nul""#, #""<p class=\"x\">Hello,\n<b>world</b></p>""#,
        "\"été — 日本語 😀 raw\"", #""\u20ac\u00a0\u2028""#, "0", "-0", "1", "-17", "3.25", "1.0", "1e3", "2E-2",
        "12345678901234567890", "9007199254740993", "1.5e308", "true", "false", "null", "[]", "{}",
        #"[1, "two", null, true, {"k": []}]"#, #"{"nested": {"deeper": {"deepest": ["x"]}}}"#,
        String(repeating: #"a\"b\\c"#, count: 3000).wrappedInQuotes,
    ]

    static func document(_ value: String) -> String {
        """
        {"version": "https://jsonfeed.org/version/1.1", "title": \(value), "items": [{"id": \(value), "content_html": \(value)}, \(value)] ,
          "x" :\(value)}
        """
    }

    @Test("every value reads as JSONSerialization reads it")
    func agreesWithJSONSerialization() throws {
        for value in Self.values {
            let bytes = Array(Self.document(value).utf8)
            let fast = try #require(JSONDocumentReader.rootObject(bytes), "declined: \(value.prefix(60))")
            let reference = try #require(Self.serialization(bytes))
            #expect(Self.canonical(fast) == Self.canonical(reference), "\(value.prefix(60))")
        }
    }

    @Test("documents built from random pieces read as JSONSerialization reads them, or are declined")
    func randomDocuments() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "é", "😀", "<a href=\\\"/x\\\">", " ", "x", "\\t", "\\/"]
        var read = 0
        for _ in 0..<300 {
            let count = Int.random(in: 0..<40, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let bytes = Array(Self.document("\"" + text + "\"").utf8)
            guard let fast = JSONDocumentReader.rootObject(bytes) else { continue }
            read += 1
            let reference = try #require(Self.serialization(bytes))
            #expect(Self.canonical(fast) == Self.canonical(reference), "\(text)")
        }
        #expect(read == 300)
    }

    /// Keys and values at the edges of the grammar: where the reader answers, it answers as
    /// JSONSerialization does.
    @Test("keys and numbers at the edges read as JSONSerialization reads them, or are declined", arguments: [
        #"{"": 1}"#, #"{"k\"ey\u00e9": "v"}"#, #"{"a": -0}"#, #"{"a": 1E400}"#, #"{"a": -1e-400}"#, #"{"a": 0.1}"#,
        #"{"a": -}"#, #"{"a": 1.}"#, #"{"a": .5}"#, #"{"a": 1e}"#, #"{"a": --1}"#, #"{"a": 1.0e+}"#, #"{"a": 1 2}"#,
        #"{"a": "x\u2028y"}"#, #"{"a": "\uD83D\uDE00"}"#,
    ])
    func edges(_ json: String) throws {
        let bytes = Array(json.utf8)
        guard let fast = JSONDocumentReader.rootObject(bytes) else { return }  // declined: read the long way
        let reference = try #require(Self.serialization(bytes), "read a document JSONSerialization refuses: \(json)")
        #expect(Self.canonical(fast) == Self.canonical(reference), "\(json)")
    }

    @Test("a byte order mark that starts a string or follows an escape is declined (JSONSerialization drops it); elsewhere it is kept as it keeps it")
    func byteOrderMarksInStrings() throws {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        for declined in [
            Array(#"{"a": ""#.utf8) + mark + Array(#"x"}"#.utf8), Array(#"{"a": "x\n"#.utf8) + mark + Array(#"y"}"#.utf8),
            Array(#"{""#.utf8) + mark + Array(#"k": 1}"#.utf8),
        ] {
            #expect(JSONDocumentReader.rootObject(declined) == nil)
        }
        let inside = Array(#"{"a": "x"#.utf8) + mark + Array(#"y"}"#.utf8)
        let fast = try #require(JSONDocumentReader.rootObject(inside))
        #expect(Self.canonical(fast) == Self.canonical(try #require(Self.serialization(inside))))
        #expect((fast["a"] as? String)?.unicodeScalars.map(\.value) == [0x78, 0xFEFF, 0x79])
    }

    /// Declined: invalid JSON, a byte order mark, lone surrogates, repeated keys, deep nesting,
    /// and trailing commas (JSONSerialization takes those; the long way reads them as before).
    @Test("documents whose reading is JSONSerialization's or the repairs' are declined", arguments: [
        #"{"a": "lone \ud800 high"}"#, #"{"a": "lone \udc00 low"}"#, #"{"a": "\ud800\u0041"}"#,
        #"{"a": 1, "a": 2}"#, "\u{FEFF}{\"a\": 1}", "{\"a\": \"raw\ttab\"}", #"{"a": "\x"}"#, #"{"a": 1,}"#,
        #"{"a": [1,]}"#, #"{"a": 1} x"#, #"["not", "an object"]"#, #"{"a": +1}"#, #"{"a": 01}"#, #"{"a": tru}"#,
        #"{"a": truex}"#, #"{"a": nullx}"#, "{\"a\":\u{0C}1}", "{\"a\":\u{A0}1}",
        #"{"a": "unterminated}"#, #"{"a" 1}"#, #"{'a': 1}"#,
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
        "{\"a\": " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}",
    ])
    func declines(_ json: String) {
        #expect(JSONDocumentReader.rootObject(Array(json.utf8)) == nil)
    }

    @Test("bytes that are not UTF-8 are declined")
    func declinesInvalidUTF8() {
        #expect(JSONDocumentReader.rootObject(Array(#"{"a": "x"#.utf8) + [0xFF, 0xFE] + Array(#"y"}"#.utf8)) == nil)
        #expect(JSONDocumentReader.rootObject(Array(#"{"a": "x"#.utf8) + [0xC3] + Array(#""}"#.utf8)) == nil)
        // A surrogate written in UTF-8 (ED A0 80) and an overlong form of '/'.
        #expect(JSONDocumentReader.rootObject(Array(#"{"a": "x"#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)) == nil)
        #expect(JSONDocumentReader.rootObject(Array(#"{"a": "x"#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)) == nil)
    }
}

extension String {
    fileprivate var wrappedInQuotes: String { "\"" + self + "\"" }
}
