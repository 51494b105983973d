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
    /// Random, drawn once per process: tells two daemons that were given one name apart.
    public var instance: String

    /// A daemon's registration, as it publishes it.
    public init(
        name: String, version: String, started: Date, feeds: Int, mapDigest: String, feedIDs: String?, instance: String
    ) {
        self.instance = instance
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
        static let instance = "instance"
    }

    /// The hash's fields.
    var fields: [(String, String)] {
        var fields = [
            (Field.name, name), (Field.version, version), (Field.started, String(Int(started.timeIntervalSince1970))),
            (Field.feeds, String(feeds)), (Field.map, mapDigest),
        ]
        if let feedIDs { fields.append((Field.feedIDs, feedIDs)) }
        if !instance.isEmpty { fields.append((Field.instance, instance)) }
        return fields
    }

    /// A registration read back from the hash of `name`. Fields this version does not know
    /// are ignored and missing ones read as unknown (version "?", no map): a daemon of another
    /// version is still listed, and counts as not running a map it does not name.
    init(fields: [String: String], name: String) {
        self.init(
            name: fields[Field.name] ?? name, version: fields[Field.version] ?? "?",
            started: Date(timeIntervalSince1970: TimeInterval(fields[Field.started].flatMap(Int.init) ?? 0)),
            feeds: fields[Field.feeds].flatMap(Int.init) ?? 0, mapDigest: fields[Field.map] ?? "?", feedIDs: fields[Field.feedIDs],
            instance: fields[Field.instance] ?? "")
    }

    /// The hash field that holds ``instance``.
    static var instanceField: String { Field.instance }
}
