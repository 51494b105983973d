import CByteScan

/// Writes JSON by hand, keys in the order given: fast, and stable for people reading diffs.
///
/// It writes UTF-8 bytes into one buffer: a string is scanned for the bytes JSON must escape
/// (`"`, `\\`, controls), 16 bytes at a time, and the runs between them are copied whole (the
/// entries of a fresh feed are mostly such runs: escaping them a byte at a time was 45% of the
/// daemon's CPU), in C, a chunk at a time. Text held as bytes is written with
/// ``string(utf8:)``, with no `String` made. Take the bytes (``bytes``, ``takeBytes()``) where
/// they go out as bytes; ``output`` makes a `String` of them for the rest.
public struct JSONWriter {
    /// The JSON written so far, UTF-8.
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    /// A writer; `capacity` bytes reserved up front.
    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON written so far, as a `String`.
    public var output: String { String(decoding: bytes, as: UTF8.self) }

    /// The bytes written so far; the writer starts over, keeping its buffer's capacity (one
    /// buffer reused for a batch of values).
    public mutating func takeBytes() -> [UInt8] {
        // Copied out at its size: the buffer stays this writer's alone, so it is reused (a
        // shared one would be left to the copy with its whole capacity, and a new one made).
        let taken = bytes.withUnsafeBufferPointer { Array($0) }
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
        return taken
    }

    /// A line feed after a value: the next value starts a new line (JSON Lines).
    public mutating func lineFeed() {
        bytes.append(UInt8(ascii: "\n"))
        needsComma = false
    }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    public mutating func key(_ name: String) {
        separator()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String?) {
        separator()
        if let value { appendString(value) } else { append("null") }
        needsComma = true
    }

    /// A string given as its UTF-8 bytes, which must be valid UTF-8 (they are copied as they
    /// are, escaped where JSON must).
    public mutating func string(utf8 value: UnsafeBufferPointer<UInt8>) {
        separator()
        appendQuoted(value)
        needsComma = true
    }

    /// The value this writer wrote at `range` of ``bytes``, written again: copied as it is,
    /// not escaped again (a long text given as two fields).
    public mutating func repeatedValue(writtenAt range: Range<Int>) {
        separator()
        // Through a copy: appending a slice of the array to itself would copy the whole array
        // (the slice shares its buffer), and appending `repeatElement` went a byte at a time.
        let value = Array(bytes[range])
        bytes.append(contentsOf: value)
        needsComma = true
    }

    /// `null`.
    public mutating func null() {
        separator()
        append("null")
        needsComma = true
    }

    public mutating func integer<T: BinaryInteger>(_ value: T?) {
        separator()
        append(value.map { String($0) } ?? "null")
        needsComma = true
    }

    /// `true`, `false`, or `null` for nil.
    public mutating func bool(_ value: Bool?) {
        separator()
        append(value.map { $0 ? "true" : "false" } ?? "null")
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
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// Text that needs no escaping (numbers, literals).
    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendString(_ value: String) {
        var value = value
        value.withUTF8 { appendQuoted($0) }
    }

    /// `utf8` in quotes. A string with nothing to escape (most keys and values) is one copy;
    /// otherwise the C side (`hd_json_escape`) escapes it into a chunk on the stack, runs
    /// between escapes copied whole, and each chunk is appended at once: entry text escapes a
    /// byte every ~35 (HTML's attribute quotes), and appending each run and each escape to the
    /// array was 11% of the daemon's CPU on a fresh start.
    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        if let base = utf8.baseAddress {
            let count = utf8.count
            let clean = hd_json_next_escape(base, count)
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: clean))
            if clean < count { appendEscaped(UnsafeBufferPointer(start: base + clean, count: count - clean)) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes escaped a chunk at a time (see ``appendQuoted(_:)``).
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let base = utf8.baseAddress else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.chunkBytes) { chunk in
            guard let out = chunk.baseAddress else { return }
            var done = 0
            while done < utf8.count {
                var consumed = 0
                let written = hd_json_escape(base + done, utf8.count - done, &consumed, out, chunk.count)
                bytes.append(contentsOf: UnsafeBufferPointer(start: out, count: written))
                done += consumed
            }
        }
    }

    /// The escaped bytes written at a time: on the stack, well inside the L1 cache.
    private static let chunkBytes = 8192
}
