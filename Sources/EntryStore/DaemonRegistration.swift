import Foundation
import RedisWire

/// What a running daemon says of itself on every server of its map (`hubdiffer:daemon:{name}`,
/// a hash that expires unless refreshed), so that `hubdiffer shards daemons` can list the fleet
/// and `hubdiffer shards move` can wait until every daemon runs the new map.
public struct DaemonRegistration: Sendable, Equatable {
    /// Unique within the fleet: `host:pid` unless `--name` says otherwise.
    public var name: String
    /// The program's version.
    public var version: String
    /// When the daemon started (whole seconds).
    public var started: Date
    /// How many feeds it polls.
    public var feeds: Int
    /// `ShardMap.digest` of the map it has loaded.
    public var mapDigest: String
    /// The feed IDs it owns (`--feed-ids`), as `FIRST-LAST,…`; nil: all.
    public var feedIDs: String?

    public init(name: String, version: String, started: Date, feeds: Int, mapDigest: String, feedIDs: String?) {
        self.name = name
        self.version = version
        self.started = started
        self.feeds = feeds
        self.mapDigest = mapDigest
        self.feedIDs = feedIDs
    }

    private enum Field {
        static let name = "name"
        static let version = "version"
        static let started = "started"
        static let feeds = "feeds"
        static let map = "map"
        static let feedIDs = "feed_ids"
    }

    /// The hash's fields.
    var fields: [(String, String)] {
        var fields = [
            (Field.name, name), (Field.version, version), (Field.started, String(Int(started.timeIntervalSince1970))),
            (Field.feeds, String(feeds)), (Field.map, mapDigest),
        ]
        if let feedIDs { fields.append((Field.feedIDs, feedIDs)) }
        return fields
    }

    /// A registration read back; nil when a field is missing or not what this version writes.
    init?(fields: [String: String]) {
        guard let name = fields[Field.name], let version = fields[Field.version],
            let started = fields[Field.started].flatMap(Int.init), let feeds = fields[Field.feeds].flatMap(Int.init),
            let map = fields[Field.map]
        else { return nil }
        self.init(
            name: name, version: version, started: Date(timeIntervalSince1970: TimeInterval(started)), feeds: feeds,
            mapDigest: map, feedIDs: fields[Field.feedIDs])
    }
}
