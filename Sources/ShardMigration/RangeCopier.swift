import RedisWire
import EntryStore

/// The store's keys of a range of feeds (``StoreKeys``: the sorted set of seen entries and the
/// feed's state) copied, checked and deleted between two Redis servers, a batch of feeds per
/// round trip.
public struct RangeCopier {
    public let source: RedisClient
    public let target: RedisClient
    public let range: ClosedRange<Int64>

    /// How the feed state (``StoreKeys/state(_:)``) is copied.
    public enum StateCopy {
        /// The source's state replaces the target's (before the switch: the source is current).
        case replace
        /// Only feeds the target has no state for (after the switch the daemon writes the
        /// target, and what it wrote is newer).
        case whenMissing
    }

    /// What one copy wrote.
    public struct Tally {
        public var feeds = 0
        public var sets = 0
        public var membersAdded = 0
        public var states = 0

        public static func + (a: Tally, b: Tally) -> Tally {
            Tally(
                feeds: a.feeds + b.feeds, sets: a.sets + b.sets, membersAdded: a.membersAdded + b.membersAdded,
                states: a.states + b.states)
        }
    }

    // MARK: - Listing

    /// The IDs in the range of every feed with a key on the source, sorted (one `SCAN` of the
    /// whole database; keys of other ranges are skipped).
    public func feedsOnSource() async throws(MoveFailure) -> [Int64] {
        let keys = try await FeedKeyScan.keys(
            entriesOnly: false, send: { command throws(MoveFailure) in try await run(on: source, [command])[0] },
            malformed: .server(source.endpoint.redactedURL, .server("SCAN answered in an unexpected form")))
        return Set(keys.map(\.feed).filter(range.contains)).sorted()
    }

    // MARK: - Copying

    /// Copies the keys of `feeds`: the sets are merged (`ZADD NX`: members the target already
    /// has keep their score, so nothing written there is lost), the states as `state` says.
    public func copy(_ feeds: ArraySlice<Int64>, state: StateCopy) async throws(MoveFailure) -> Tally {
        var reads: [RedisCommand] = []
        for feed in feeds {
            reads.append(RedisCommand(["ZRANGE".bytes, StoreKeys.entries(feed), "0".bytes, "-1".bytes, "WITHSCORES".bytes]))
            reads.append(RedisCommand(["HGETALL".bytes, StoreKeys.state(feed)]))
        }
        let read = try await run(on: source, reads)
        var targetHasState: [Bool] = []
        if state == .whenMissing {
            let exists = try await run(on: target, feeds.map { RedisCommand(["EXISTS".bytes, StoreKeys.state($0)]) })
            targetHasState = exists.map { $0 != .integer(0) }
        }

        var tally = Tally(feeds: feeds.count)
        var writes: [RedisCommand] = []
        var setWrites: [Int] = []  // where the ZADDs are in `writes`
        for (index, feed) in feeds.enumerated() {
            if case .array(let pairs?) = read[2 * index], !pairs.isEmpty {
                // ZRANGE … WITHSCORES: member, score, member, score…; ZADD wants score, member.
                var arguments: [[UInt8]] = ["ZADD".bytes, StoreKeys.entries(feed), "NX".bytes]
                arguments.reserveCapacity(3 + pairs.count)
                var pair = 0
                while pair + 1 < pairs.count {
                    guard case .bulk(let member?) = pairs[pair], case .bulk(let score?) = pairs[pair + 1] else { break }
                    arguments.append(score)
                    arguments.append(member)
                    pair += 2
                }
                setWrites.append(writes.count)
                writes.append(RedisCommand(arguments))
            }
            if case .array(let fields?) = read[2 * index + 1], !fields.isEmpty,
                state == .replace || !targetHasState[index]
            {
                let values = fields.compactMap { field -> [UInt8]? in
                    if case .bulk(let bytes?) = field { bytes } else { nil }
                }
                writes.append(RedisCommand(["DEL".bytes, StoreKeys.state(feed)]))
                writes.append(RedisCommand(["HSET".bytes, StoreKeys.state(feed)] + values))
                tally.states += 1
            }
        }
        let written = try await run(on: target, writes)
        tally.sets = setWrites.count
        for index in setWrites {
            if case .integer(let added) = written[index] { tally.membersAdded += Int(added) }
        }
        return tally
    }

    // MARK: - Verifying and deleting

    /// The feeds among `feeds` whose keys did not all arrive: a member of the source's set
    /// missing from the target's, or a state on the source and none on the target.
    public func unverified(_ feeds: ArraySlice<Int64>) async throws(MoveFailure) -> [Int64] {
        var commands: [RedisCommand] = []
        for feed in feeds {
            commands.append(RedisCommand(["ZRANGE".bytes, StoreKeys.entries(feed), "0".bytes, "-1".bytes]))
            commands.append(RedisCommand(["EXISTS".bytes, StoreKeys.state(feed)]))
        }
        let there = try await run(on: source, commands)
        let here = try await run(on: target, commands)
        var missing: [Int64] = []
        for (index, feed) in feeds.enumerated() {
            let sourceMembers = Self.members(there[2 * index])
            let targetMembers = Set(Self.members(here[2 * index]))
            let stateLost = there[2 * index + 1] == .integer(1) && here[2 * index + 1] != .integer(1)
            if stateLost || !sourceMembers.allSatisfy(targetMembers.contains) { missing.append(feed) }
        }
        return missing
    }

    /// Deletes the source's keys of `feeds` (`UNLINK`: the server frees them in the background).
    public func deleteFromSource(_ feeds: ArraySlice<Int64>) async throws(MoveFailure) {
        _ = try await run(on: source, feeds.map { RedisCommand(["UNLINK".bytes, StoreKeys.entries($0), StoreKeys.state($0)]) })
    }

    private static func members(_ reply: RedisReply) -> [[UInt8]] {
        guard case .array(let elements?) = reply else { return [] }
        return elements.compactMap { if case .bulk(let bytes?) = $0 { bytes } else { nil } }
    }

    /// Runs `commands` on `client`; a failed round trip or an error reply ends the move.
    private func run(on client: RedisClient, _ commands: [RedisCommand]) async throws(MoveFailure) -> [RedisReply] {
        let replies: [RedisReply]
        do {
            replies = try await client.pipeline(commands)
        } catch {
            throw .server(client.endpoint.redactedURL, error)
        }
        if let message = replies.lazy.compactMap({ if case .error(let text) = $0 { text } else { nil } }).first {
            throw .server(client.endpoint.redactedURL, .server(message))
        }
        return replies
    }
}

extension String {
    fileprivate var bytes: [UInt8] { Array(utf8) }
}
