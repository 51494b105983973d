/// The Redis keys of the store (per shard): see the Redis layout in the README.
enum StoreKeys {
    /// The sorted set of seen entries: member = 8-byte big-endian key, score = entry time.
    static func entries(_ feed: Int64) -> [UInt8] { Array("e:\(feed)".utf8) }
    /// The feed's own state (validators, body hash, counters).
    static func state(_ feed: Int64) -> [UInt8] { Array("f:\(feed)".utf8) }
    /// The shard-level marker: a hash with `id`, `created` and, after a loss, `lost_at`.
    static let marker: [UInt8] = Array("hubdiffer:shard".utf8)
}
