import CByteScan
import Glibc

/// Counts the attributes of start tags before libxml2 sees the document. libxml2 2.9.14
/// checks an element's attributes for duplicates pairwise, so one element with 100,000
/// attributes costs 3 s and 500,000 several minutes — inside one call that no callback can
/// interrupt. A document over ``ParserLimits/maxAttributesPerElement`` on one element, or
/// ``ParserLimits/maxAttributes`` in all, is refused as hostile instead.
///
/// A byte scan, not a parse: from each `<` followed by a name's first character to the next
/// `>` outside quotes, every `=` outside quotes counts as one attribute. CDATA sections are
/// skipped unread; markup inside comments may count, and real feeds stay far below the
/// limits either way.
///
/// Only the tags that could be over the per-element limit are read: libxml2 2.9 stops reading
/// a start tag's attributes at the next `<` (even inside a quoted value, where it is an
/// error), so a tag followed by no more than `limit` bytes before the next `<` holds at most
/// `limit` attributes. Finding the `<`s is one vectorised pass in C
/// (`hd_next_long_markup`); most tags are never read. The whole document is counted only
/// when it is long enough to pass ``ParserLimits/maxAttributes`` (one byte per `=`).
enum AttributeCensus {
    static func check(_ bytes: [UInt8], limits: ParserLimits) throws(FeedParsingError) {
        let perElement = limits.maxAttributesPerElement
        let inAll = limits.maxAttributes
        var refusal: (offset: Int, count: Int, limit: Int, inOneElement: Bool)?
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let end = buffer.count
            if end > inAll {
                refusal = everyTag(base, end: end, perElement: perElement, inAll: inAll)
                return
            }
            var at = 0
            while true {
                at = hd_next_long_markup(base, end, at, max(perElement, 0))
                guard at < end else { return }
                let count = attributes(base, tag: at, end: end).count
                if count > perElement {
                    refusal = (at, count, perElement, true)
                    return
                }
                at += 1
            }
        }
        guard let refusal else { return }
        let line = 1 + bytes[..<refusal.offset].count { $0 == 0x0A }
        throw .tooManyAttributes(line: line, count: refusal.count, limit: refusal.limit, inOneElement: refusal.inOneElement)
    }

    /// Every start tag counted, for both limits: the first one over either.
    private static func everyTag(
        _ base: UnsafePointer<UInt8>, end: Int, perElement: Int, inAll: Int
    ) -> (offset: Int, count: Int, limit: Int, inOneElement: Bool)? {
        var total = 0
        var index = 0
        while index < end, let found = memchr(base + index, Int32(UInt8(ascii: "<")), end - index) {
            let tag = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            index = tag + 1
            if index + 8 <= end, base[index] == UInt8(ascii: "!"), memcmp(base + index, cdataOpening, 8) == 0 {
                // A CDATA section holds text (often HTML): skip to its end unread.
                guard let close = cdataEnd(base, from: index + 8, to: end) else { return nil }
                index = close + 3
                continue
            }
            let (count, next) = attributes(base, tag: tag, end: end)
            index = next
            total += count
            if count > perElement { return (tag, count, perElement, true) }
            if total > inAll { return (tag, total, inAll, false) }
        }
        return nil
    }

    /// The attributes counted in the start tag whose `<` is at `tag`, and where the scan
    /// stopped (the `>` or `<` that ends the tag, or the end); none when no name starts there.
    private static func attributes(_ base: UnsafePointer<UInt8>, tag: Int, end: Int) -> (count: Int, next: Int) {
        var index = tag + 1
        guard index < end, isNameStart(base[index]) else { return (0, index) }
        let significance = Self.significance
        var count = 0
        while index < end {
            let byte = base[index]
            switch significance[Int(byte)] {
            case .quote:
                // A quoted value is skipped whole; one left open runs to the end.
                guard let close = memchr(base + index + 1, Int32(byte), end - index - 1) else { return (count, end) }
                index = base.distance(to: close.assumingMemoryBound(to: UInt8.self))
            case .equals:
                count += 1
            case .tagEnd:
                return (count, index)
            case .other:
                break
            }
            index += 1
        }
        return (count, end)
    }

    private static let cdataOpening: [UInt8] = Array("![CDATA[".utf8)

    /// What a byte means inside a start tag: one table lookup a byte instead of a chain of
    /// comparisons.
    private enum Significance: UInt8 { case other, quote, equals, tagEnd }

    private static let significance: [Significance] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): .quote
        case UInt8(ascii: "="): .equals
        case UInt8(ascii: ">"), UInt8(ascii: "<"): .tagEnd
        default: .other
        }
    }

    /// Where the next `]]>` starts in `base[start..<end]`; nil when there is none.
    private static func cdataEnd(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var index = start
        while index + 3 <= end, let found = memchr(base + index, Int32(UInt8(ascii: "]")), end - index - 2) {
            let bracket = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if base[bracket + 1] == UInt8(ascii: "]") && base[bracket + 2] == UInt8(ascii: ">") { return bracket }
            index = bracket + 1
        }
        return nil
    }

    /// A byte that can start an element name (ASCII letter, `_`, `:`, or any non-ASCII byte).
    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":") || byte >= 0x80
    }
}
