import CXXHash
import Foundation

/// The rule that turns an entry into its dedup key. **Changing it floods every subscriber with
/// duplicates**: the tests pin it with vectors.
///
/// 1. The base identity, from the first of these that is present (after trimming white space):
///    - `id:` + the entry's id as the document wrote it (``Entry/idAsWritten``, before any
///      resolution against the document URL),
///    - `link:` + its link as written (``Entry/linkAsWritten``),
///    - `title:` + its title + `\n` + its date (`YYYY-MM-DDTHH:MM:SSZ`, published else
///      updated; empty when undated),
///    - `content:` + its content, else its summary, else the empty string.
///    An id or link that starts with `https://` (any case) is read as `http://`: a feed that
///    moves to TLS keeps its keys.
/// 2. When two or more entries of one document have the same base identity but different
///    links as written (compared as in rule 1: trimmed, `https://` read as `http://`) — feeds
///    that give every item one GUID — each of them becomes base + `\u{1F}link:` + its own link.
/// 3. The key is XXH3-64 (seed 0) of the UTF-8 bytes of the identity.
public enum EntryIdentity {
    /// Fills in ``Entry/key`` (and what ``Entry/identity`` is built from) of every entry of one
    /// document. Identities are written as bytes into one reused buffer and hashed there: no
    /// string is built per entry.
    public static func assignKeys(_ entries: inout [Entry]) {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(256)
        var baseKeys: [UInt64] = []
        baseKeys.reserveCapacity(entries.count)
        entries.forEachInPlace { entry in
            scratch.removeAll(keepingCapacity: true)
            appendBaseIdentity(of: entry, to: &scratch)
            baseKeys.append(hash(scratch))
        }
        guard entries.count > 1 else {  // rule 2 needs two entries
            for index in entries.indices {
                entries[index].identitySharesID = false
                entries[index].key = baseKeys[index]
            }
            return
        }
        // Rule 2 compares base identities by their 64-bit keys.
        var firstWithKey: [UInt64: Int] = [:]
        firstWithKey.reserveCapacity(entries.count)
        var sharedKeys: Set<UInt64> = []
        for (index, baseKey) in baseKeys.enumerated() {
            if let first = firstWithKey[baseKey] {
                if identityLink(of: entries[first]) != identityLink(of: entries[index]) { sharedKeys.insert(baseKey) }
            } else {
                firstWithKey[baseKey] = index
            }
        }
        for index in entries.indices {
            let shared = sharedKeys.contains(baseKeys[index])
            entries[index].identitySharesID = shared
            if shared {
                scratch.removeAll(keepingCapacity: true)
                appendIdentity(of: entries[index], to: &scratch)
                entries[index].key = hash(scratch)
            } else {
                entries[index].key = baseKeys[index]
            }
        }
    }

    /// The link rule 2 compares: as written, trimmed, `https://` read as `http://`.
    private static func identityLink(of entry: Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        appendFoldingScheme(trimmed(entry.linkAsWritten ?? entry.link) ?? "", to: &bytes)
        return bytes
    }

    /// The base identity of one entry (rule 1).
    public static func baseIdentity(_ entry: Entry) -> String {
        var bytes: [UInt8] = []
        appendBaseIdentity(of: entry, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The full identity of an entry whose keys are assigned (rules 1 and 2).
    static func identity(of entry: Entry) -> String {
        var bytes: [UInt8] = []
        appendIdentity(of: entry, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// XXH3-64 of the UTF-8 bytes of `identity`.
    public static func key(of identity: String) -> UInt64 {
        var identity = identity
        return identity.withUTF8 { hd_xxh3_64($0.baseAddress, $0.count) }
    }

    /// A key as 16 lower-case hex digits.
    public static func hex(_ key: UInt64) -> String {
        let digits = String(key, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { hd_xxh3_64($0.baseAddress, $0.count) }
    }

    private static func appendIdentity(of entry: Entry, to bytes: inout [UInt8]) {
        appendBaseIdentity(of: entry, to: &bytes)
        guard entry.identitySharesID else { return }
        bytes.append(contentsOf: "\u{1F}link:".utf8)
        appendFoldingScheme(trimmed(entry.linkAsWritten ?? entry.link) ?? "", to: &bytes)
    }

    private static func appendBaseIdentity(of entry: Entry, to bytes: inout [UInt8]) {
        withUnsafePointer(to: entry) { appendBaseIdentity(of: $0, to: &bytes) }
    }

    /// Reads the entry's fields through the pointer: a copy of the whole entry (its dozen
    /// fields retained and released) cost more than the identity itself.
    private static func appendBaseIdentity(of entry: UnsafePointer<Entry>, to bytes: inout [UInt8]) {
        if let id = trimmed(entry.pointee.idAsWritten ?? entry.pointee.id) {
            bytes.append(contentsOf: "id:".utf8)
            appendFoldingScheme(id, to: &bytes)
        } else if let link = trimmed(entry.pointee.linkAsWritten ?? entry.pointee.link) {
            bytes.append(contentsOf: "link:".utf8)
            appendFoldingScheme(link, to: &bytes)
        } else if let title = trimmed(entry.pointee.title) {
            bytes.append(contentsOf: "title:".utf8)
            appendUTF8(title, to: &bytes)
            bytes.append(0x0A)
            if let date = entry.pointee.date { FeedDate.withFormattedBytes(date) { bytes.append(contentsOf: $0) } }
        } else {
            bytes.append(contentsOf: "content:".utf8)
            (entry.pointee.contentText ?? entry.pointee.summaryText)?.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }

    /// `text` without surrounding white space; nil when nothing remains. Parsers hand over
    /// trimmed values already, so the common case returns `text` itself.
    private static func trimmed(_ text: String?) -> String? {
        guard let text, let first = text.utf8.first, let last = text.utf8.last else { return nil }
        if first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 { return text }
        let value = text.trimmingWhitespace
        return value.isEmpty ? nil : value
    }

    /// Appends `text`, an `https://` prefix (any case) written as `http://`.
    private static func appendFoldingScheme(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let scheme = httpsScheme
            var folds = utf8.count >= scheme.count
            var offset = 0
            while folds && offset < scheme.count {
                folds = utf8[offset] | 0x20 == scheme[offset] | 0x20
                offset += 1
            }
            if folds {
                bytes.append(contentsOf: "http://".utf8)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[scheme.count...]))
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
    }

    private static let httpsScheme: [UInt8] = Array("https://".utf8)

    private static func appendUTF8(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }
}
