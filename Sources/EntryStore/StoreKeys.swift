/// The Redis keys of the store (per shard), the one place they are spelled: see the Redis
/// layout in the README. The daemon, `shards move` (``RangeCopier``) and `shards list --count`
/// (``FeedCounter``) all name keys through it.
public enum StoreKeys {
    private static let entriesPrefix = "e:"
    private static let statePrefix = "f:"

    /// The sorted set of seen entries: member = 8-byte big-endian key, score = entry time.
    public static func entries(_ feed: Int64) -> [UInt8] { Array("\(entriesPrefix)\(feed)".utf8) }
    /// The feed's own state (validators, body hash, counters).
    public static func state(_ feed: Int64) -> [UInt8] { Array("\(statePrefix)\(feed)".utf8) }
    /// The shard-level marker: a hash with `id`, `created` and, after a loss, `lost_at`.
    public static let marker: [UInt8] = Array("hubdiffer:shard".utf8)

    /// A running daemon's registration (a hash that expires unless refreshed): see
    /// ``DaemonRegistration``.
    public static func daemon(_ name: String) -> [UInt8] { Array("hubdiffer:daemon:\(name)".utf8) }
    /// The names of the daemons registered on the server (a sorted set, an index of the
    /// registrations; a name whose hash expired is dropped by the next reader).
    public static let daemons: [UInt8] = Array("hubdiffer:daemons".utf8)

    /// The `shards move`s under way to this server: a hash, one field a range (`FIRST-LAST`),
    /// its value the source's URL without its password, from the move's start to its last step. Daemons
    /// keep reading a moved range's old server while it is there.
    public static let moves: [UInt8] = Array("hubdiffer:moving".utf8)

    /// `e:*`: the `SCAN … MATCH` pattern of every set of seen entries.
    public static let entriesPattern = entriesPrefix + "*"
    /// `e:{feed}` and `f:{feed}`, the keys as help texts and messages name them.
    public static let entriesTemplate = entriesPrefix + "{feed}"
    public static let stateTemplate = statePrefix + "{feed}"

    /// Which of a feed's keys a key is.
    public enum FeedKey: Sendable, Hashable {
        /// `e:{feed}`.
        case entries(Int64)
        /// `f:{feed}`.
        case state(Int64)

        /// The feed the key belongs to.
        public var feed: Int64 {
            switch self {
            case .entries(let feed), .state(let feed): feed
            }
        }
    }

    /// The feed key `name` is (`e:` or `f:` and a feed ID in decimal digits); nil for any
    /// other key, the marker included.
    public static func feedKey(_ name: [UInt8]) -> FeedKey? {
        guard name.count > 2, name[1] == UInt8(ascii: ":") else { return nil }
        var feed: Int64 = 0
        for byte in name[2...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = feed.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            feed = added
        }
        switch name[0] {
        case entriesPrefix.utf8.first: return .entries(feed)
        case statePrefix.utf8.first: return .state(feed)
        default: return nil
        }
    }
}
