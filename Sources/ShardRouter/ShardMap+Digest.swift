extension ShardMap {
    /// A short fingerprint of where the map sends each feed ID: 16 hex digits of FNV-1a 64 over
    /// its ranges in order, each `FIRST-LAST host:port/db`, adjacent ranges of one server
    /// merged and passwords left out (a split, or a new password, moves nothing). Two maps with
    /// the same digest route every feed alike; daemons publish theirs in their registration so
    /// `shards move` can tell who runs the new map.
    public var digest: String {
        var merged: [(first: Int64, last: Int64, server: String)] = []
        for range in ranges {
            let server = "\(range.endpoint.host):\(range.endpoint.port)/\(range.endpoint.database)"
            if let last = merged.last, last.server == server, last.last < Int64.max, last.last + 1 == range.first {
                merged[merged.count - 1].last = range.last
            } else {
                merged.append((range.first, range.last, server))
            }
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for range in merged {
            let line = "\(range.first)-\(range.last) \(range.server)\n"
            for byte in line.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
