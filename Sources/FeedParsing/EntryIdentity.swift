import CXXHash
import Foundation

/// The rule that turns an entry into its dedup key. **Changing it floods every subscriber with
/// duplicates**: the tests pin it with vectors.
///
/// 1. The base identity, from the first of these that is present (after trimming white space):
///    - `id:` + the entry's id,
///    - `link:` + its link,
///    - `title:` + its title + `\n` + its date (`YYYY-MM-DDTHH:MM:SSZ`, published else
///      updated; empty when undated),
///    - `content:` + its content, else its summary, else the empty string.
///    An id or link that starts with `https://` (any case) is read as `http://`: a feed that
///    moves to TLS keeps its keys.
/// 2. When two or more entries of one document have the same base identity but different
///    links (feeds that give every item one GUID), each of them becomes
///    base + `\u{1F}link:` + its own link.
/// 3. The key is XXH3-64 (seed 0) of the UTF-8 bytes of the identity.
public enum EntryIdentity {
    /// Fills in ``Entry/identity`` and ``Entry/key`` of every entry of one document.
    public static func assignKeys(_ entries: inout [Entry]) {
        let bases = entries.map(baseIdentity)
        let baseKeys = bases.map(key(of:))
        // Rule 2 compares base identities by their 64-bit keys.
        var firstWithKey: [UInt64: Int] = [:]
        firstWithKey.reserveCapacity(entries.count)
        var sharedKeys: Set<UInt64> = []
        for (index, baseKey) in baseKeys.enumerated() {
            if let first = firstWithKey[baseKey] {
                if entries[first].link != entries[index].link { sharedKeys.insert(baseKey) }
            } else {
                firstWithKey[baseKey] = index
            }
        }
        for index in entries.indices {
            if sharedKeys.contains(baseKeys[index]) {
                let identity = bases[index] + "\u{1F}link:" + foldScheme(trimmed(entries[index].link) ?? "")
                entries[index].identity = identity
                entries[index].key = key(of: identity)
            } else {
                entries[index].identity = bases[index]
                entries[index].key = baseKeys[index]
            }
        }
    }

    /// The base identity of one entry (rule 1).
    public static func baseIdentity(_ entry: Entry) -> String {
        if let id = trimmed(entry.id) { return "id:" + foldScheme(id) }
        if let link = trimmed(entry.link) { return "link:" + foldScheme(link) }
        if let title = trimmed(entry.title) {
            return "title:" + title + "\n" + (entry.date.map(FeedDate.format) ?? "")
        }
        return "content:" + (entry.content ?? entry.summary ?? "")
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

    /// `text` without surrounding white space; nil when nothing remains. Parsers hand over
    /// trimmed values already, so the common case returns `text` itself.
    private static func trimmed(_ text: String?) -> String? {
        guard let text, let first = text.utf8.first, let last = text.utf8.last else { return nil }
        if first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 { return text }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    private static func foldScheme(_ text: String) -> String {
        let scheme = "https://".utf8
        var index = text.utf8.startIndex
        for expected in scheme {
            guard index < text.utf8.endIndex, text.utf8[index] | 0x20 == expected | 0x20 else { return text }
            index = text.utf8.index(after: index)
        }
        return "http://" + text[index...]
    }
}
