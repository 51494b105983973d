import CXML2

/// The bytes behind ``TextBuffer``: an `hd_text_sink` that the shim's characters callback
/// appends to in C while the builder's capture mode says so.
///
/// `@unchecked Sendable`: a store is written by one thread only — the parse that creates it
/// (or ``EntryText/init(_:)``, which fills it before sharing it) — and an ``EntryText`` only
/// ever reads bytes below ``keptCount``, which are never written again. Entries leave the
/// parse only when it has returned, after which nothing writes to the store, so every later
/// read, on any thread, sees immutable memory.
final class TextStorage: @unchecked Sendable {
    /// What the characters callback does with text.
    enum Mode { case ignore, keep, escape }

    let sink: UnsafeMutablePointer<hd_text_sink>
    /// Bytes below this offset belong to entries and are never truncated.
    private(set) var keptCount = 0

    /// `ceiling`: see ``TextStoreSizing/ceiling``.
    init(capacity: Int, ceiling: Int = 0) {
        sink = .allocate(capacity: 1)
        sink.initialize(to: hd_text_sink())
        sink.pointee.ceiling = ceiling
        // Sizing ahead only: when it fails, appends grow the buffer themselves (and mark the
        // text as failed if that fails too), so no text is missing yet.
        _ = hd_text_sink_reserve_quietly(sink, capacity)
    }

    deinit {
        hd_text_sink_free(sink)
        sink.deallocate()
    }

    var count: Int { sink.pointee.count }

    /// Bytes of the document whose text the shim read itself, ahead of libxml2 (`hd_xml_take_text`).
    var readAheadBytes: Int { sink.pointee.read_ahead }

    /// True when memory ran out while text was being collected (some text is missing).
    var failed: Bool { sink.pointee.failed != 0 }

    /// Sets what the characters callback does with text from now on.
    func setMode(_ mode: Mode) {
        switch mode {
        case .ignore: hd_text_sink_set_mode(sink, Int32(HD_TEXT_IGNORE))
        case .keep: hd_text_sink_set_mode(sink, Int32(HD_TEXT_KEEP))
        case .escape: hd_text_sink_set_mode(sink, Int32(HD_TEXT_ESCAPE))
        }
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        hd_text_sink_append(sink, base, bytes.count)
    }

    func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, quote: Bool) {
        guard let base = bytes.baseAddress else { return }
        hd_text_sink_append_escaped(sink, base, bytes.count, quote ? 1 : 0)
    }

    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return sink.pointee.bytes[index]
    }

    /// Drops everything from `start` on, but never kept bytes.
    func truncate(to start: Int) {
        precondition(start >= 0 && start <= count)
        sink.pointee.count = max(start, keptCount)
    }

    /// Marks every byte written so far as kept (see ``truncate(to:)``).
    func keepAll() {
        keptCount = count
    }

    /// A copy of `range`.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        withBytes(range) { Array($0) }
    }

    /// `range` decoded as UTF-8.
    func string(_ range: Range<Int>) -> String {
        withBytes(range) { String(decoding: $0, as: UTF8.self) }
    }

    func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        guard let base = sink.pointee.bytes else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }
}
