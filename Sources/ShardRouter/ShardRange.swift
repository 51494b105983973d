/// An inclusive range of feed IDs, `first...last`, and the server that holds their entries.
public struct ShardRange: Sendable, Hashable {
    /// The first feed ID of the range (0 or more).
    public let first: Int64
    /// The last feed ID of the range, inclusive (at most `Int64.max`).
    public let last: Int64
    /// The server for every feed ID in the range.
    public let endpoint: ShardEndpoint

    /// A range of feed IDs on one server. `first...last` must be a valid closed range of
    /// non-negative IDs; ``ShardMap`` checks this for every range it holds.
    public init(first: Int64, last: Int64, endpoint: ShardEndpoint) {
        self.first = first
        self.last = last
        self.endpoint = endpoint
    }

    /// `first...last`.
    public var bounds: ClosedRange<Int64> { first...last }

    /// How many feed IDs the range covers (up to 2^63, hence unsigned).
    public var count: UInt64 { UInt64(bitPattern: last &- first) &+ 1 }

    /// Whether `feedID` lies in `first...last`.
    public func contains(_ feedID: Int64) -> Bool { first <= feedID && feedID <= last }

    /// `FIRST-LAST  URL`, the canonical line of `shards.conf`, password included. Never log
    /// it: use ``description``.
    var canonicalText: String { "\(bounds.shardText)  \(endpoint.url)" }
}

extension ShardRange: CustomStringConvertible, CustomDebugStringConvertible {
    /// `FIRST-LAST  redis://:***@host:port/db`: the password never shows.
    public var description: String { "\(bounds.shardText)  \(endpoint.redactedURL)" }

    /// `ShardRange(FIRST-LAST → redis://:***@host:port/db)`: the password never shows.
    public var debugDescription: String {
        "ShardRange(\(bounds.shardText) → \(endpoint.redactedURL))"
    }
}

extension ClosedRange<Int64> {
    /// `FIRST-LAST`, as `shards.conf` writes a range of feed IDs.
    public var shardText: String { "\(lowerBound)-\(upperBound)" }
}
