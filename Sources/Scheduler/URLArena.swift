/// Every feed's URL, as UTF-8 bytes one after another in one array: a URL costs its length
/// plus 8 bytes of offset and length in `FeedRecord`, where a `String` of a typical 50-byte
/// URL costs a 16-byte value plus a ~96-byte heap block.
///
/// Replaced and removed URLs leave garbage behind; once the garbage outweighs the live bytes
/// (and 1 MiB), `compact` copies the live URLs into a fresh array.
struct URLArena: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Bytes no record points at any more.
    private(set) var garbage = 0

    /// Appends `url`; returns where it went.
    mutating func store(_ url: String) -> (offset: UInt32, length: UInt32) {
        let offset = bytes.count
        bytes.append(contentsOf: url.utf8)
        precondition(bytes.count <= Int(UInt32.max), "URLArena: more than 4 GiB of URLs")
        return (UInt32(offset), UInt32(bytes.count - offset))
    }

    /// The URL stored at `offset`.
    func string(offset: UInt32, length: UInt32) -> String {
        String(decoding: bytes[Int(offset)..<Int(offset) + Int(length)], as: UTF8.self)
    }

    /// Whether the URL stored at `offset` is `url`, without making a `String`.
    func matches(_ url: String, offset: UInt32, length: UInt32) -> Bool {
        url.utf8.elementsEqual(bytes[Int(offset)..<Int(offset) + Int(length)])
    }

    /// Notes that a URL of `length` bytes is no longer referenced.
    mutating func discard(length: UInt32) { garbage += Int(length) }

    /// Whether `compact` would pay off.
    var wantsCompaction: Bool { garbage > 1 << 20 && garbage * 2 > bytes.count }

    /// Copies the URLs of the occupied records into a fresh array and points them at it.
    mutating func compact(_ records: inout [FeedRecord]) {
        var fresh: [UInt8] = []
        fresh.reserveCapacity(bytes.count - garbage)
        for index in records.indices where records[index].flags.contains(.occupied) {
            let start = Int(records[index].urlOffset)
            records[index].urlOffset = UInt32(fresh.count)
            fresh.append(contentsOf: bytes[start..<start + Int(records[index].urlLength)])
        }
        bytes = fresh
        garbage = 0
    }

    /// Makes room for `more` bytes.
    mutating func reserveCapacity(adding more: Int) {
        bytes.reserveCapacity(bytes.count + more)
    }

    /// Bytes held by the array (its capacity), for measurements.
    var allocatedBytes: Int { bytes.capacity }
}
