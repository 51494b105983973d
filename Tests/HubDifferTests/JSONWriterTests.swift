import Foundation
import JSONOutput
import Testing

/// The writer escapes by runs: what it writes must read back as what was given, byte for byte.
@Suite("JSONWriter")
struct JSONWriterTests {
    static let strings = [
        "", "plain", "\"quoted\"", "back\\slash", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}", "é, 漢字, 🦆, e\u{301}",
        "\"\u{301}", "<p>a &amp; b</p>", String(repeating: "long run ", count: 500) + "\"",
        "ends with a control\u{8}", "\u{2028}\u{2029}",
    ]

    @Test("every string reads back the same through JSONSerialization, as value and as key")
    func roundTrip() throws {
        for value in Self.strings {
            var json = JSONWriter()
            json.beginObject()
            json.field(value, value)
            json.field("n", integer: -42)
            json.field("b", bool: true)
            json.field("none", nil)
            json.endObject()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any], "\(json.output)")
            #expect(object[value] as? String == value, "\(value.debugDescription) → \(json.output)")
            #expect(object["n"] as? Int == -42)
            #expect(object["b"] as? Bool == true)
            #expect(object["none"] is NSNull)
        }
    }

    @Test("long text is escaped a chunk at a time: escapes on both sides of every chunk edge read back the same")
    func chunks() throws {
        // Escapes written 2 or 6 bytes wide, a byte apart, around each 8,192-byte chunk edge
        // of the output and the input.
        for escape in ["\"", "\u{1}"] {
            for shift in -8...8 {
                var text = String(repeating: "a", count: 8_192 - 3 + shift)
                for _ in 0..<20 { text += escape + "b" }
                text += String(repeating: "c", count: 17_000) + escape
                var json = JSONWriter()
                json.string(text)
                let read = try JSONSerialization.jsonObject(with: Data(json.bytes), options: [.fragmentsAllowed]) as? String
                #expect(read == text, "escape \(escape.debugDescription), shift \(shift)")
            }
        }
    }

    @Test("a value written again is the same bytes, with its separator")
    func repeatedValue() throws {
        var json = JSONWriter()
        json.beginObject()
        json.key("a")
        let start = json.bytes.count
        json.string("x \"y\"\n")
        let value = start..<json.bytes.count
        json.key("b")
        json.repeatedValue(writtenAt: value)
        json.endObject()
        #expect(json.output == #"{"a":"x \"y\"\n","b":"x \"y\"\n"}"#)
    }

    @Test("controls are escaped as JSON requires: the short forms, else \\u00XX")
    func escapes() {
        var json = JSONWriter()
        json.string("\"\\\n\r\t\u{1}\u{1F}")
        #expect(json.output == #""\"\\\n\r\t\u0001\u001f""#)
    }

    @Test("bytes given as UTF-8 write as the same string does; an escape at any place of a 16-byte step is found")
    func utf8Bytes() throws {
        var cases = Self.strings
        for position in 0..<33 {
            for escaped in ["\"", "\\", "\n", "\u{1}", "\u{1F}"] {
                var characters = Array(repeating: "a", count: 33)
                characters[position] = escaped
                cases.append(characters.joined())
            }
        }
        cases.append(String(repeating: "\u{7F}\u{80}\u{20}\u{21}\u{5B}\u{5D}", count: 4))  // next to the bytes to escape
        for value in cases {
            var fromString = JSONWriter()
            fromString.string(value)
            var fromBytes = JSONWriter()
            var copy = value
            copy.withUTF8 { fromBytes.string(utf8: $0) }
            #expect(fromBytes.bytes == fromString.bytes, "\(value.debugDescription)")
            let decoded = try JSONSerialization.jsonObject(with: Data(fromBytes.bytes), options: .fragmentsAllowed) as? String
            #expect(decoded == value, "\(value.debugDescription) → \(fromBytes.output)")
        }
        var json = JSONWriter()
        json.beginArray()
        json.null()
        json.string(utf8: UnsafeBufferPointer(start: nil, count: 0))
        json.endArray()
        #expect(json.output == #"[null,""]"#)
    }

    @Test("takeBytes hands over what was written and starts a new value")
    func takeBytes() {
        var json = JSONWriter(reservingCapacity: 64)
        json.beginArray()
        json.integer(1)
        json.endArray()
        #expect(json.takeBytes() == Array("[1]".utf8))
        #expect(json.bytes.capacity >= 64, "the buffer was not kept for the next value")
        json.beginObject()
        json.endObject()
        #expect(json.output == "{}")
    }
}
