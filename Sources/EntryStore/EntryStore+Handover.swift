import RedisWire
import ShardRouter
import Synchronization

extension EntryStore {
    /// The map a daemon ran before this one, read as well for the feeds whose range moved
    /// (see ``EntryStore/init(map:handover:options:logger:metrics:)``), until `until`; a
    /// `shards move` still under way (``StoreKeys/moves`` on a server of the new map) extends it.
    public final class Handover: Sendable {
        /// The map before the switch.
        public let previous: ShardMap
        private let end: Mutex<ContinuousClock.Instant>

        /// `previous` read as well until `until`.
        public init(previous: ShardMap, until: ContinuousClock.Instant) {
            self.previous = previous
            end = Mutex(until)
        }

        /// Until when the previous map's servers are read.
        public var until: ContinuousClock.Instant { end.withLock { $0 } }

        /// Whether the handover lasts.
        public var isActive: Bool { ContinuousClock.now < until }

        /// Makes it last until `instant` at least.
        public func extend(to instant: ContinuousClock.Instant) {
            end.withLock { $0 = max($0, instant) }
        }
    }

    /// Whether a `shards move` is under way to a server of this map (it keeps
    /// ``StoreKeys/moves`` there from its start to its last step). Unreachable servers say no.
    public func moveUnderWay() async -> Bool {
        for endpoint in map.endpoints {
            if case .success(let replies) = await run([RedisCommand(["HLEN".bytes, StoreKeys.moves])], on: endpoint),
                case .integer(let count)? = replies.first, count > 0
            {
                return true
            }
        }
        return false
    }
}

extension EntryStore {
    /// A `shards move` under way to a server of this map, as its mark there says.
    public struct MoveUnderWay: Sendable, Equatable {
        /// The range moving (one line of the map).
        public let range: ClosedRange<Int64>
        /// Where it comes from: the server named in the mark, with the password of the map's
        /// endpoint for that server when there is one.
        public let source: ShardEndpoint
    }

    /// The moves under way to this map's servers (``StoreKeys/moves``) whose range this map
    /// already sends to that server. Unreachable servers and marks that do not parse are skipped.
    public func movesUnderWay() async -> [MoveUnderWay] {
        var moves: [MoveUnderWay] = []
        for endpoint in map.endpoints {
            guard case .success(let replies) = await run([RedisCommand(["HGETALL".bytes, StoreKeys.moves])], on: endpoint),
                case .array(let fields?)? = replies.first
            else { continue }
            var index = 0
            while index + 1 < fields.count {
                defer { index += 2 }
                guard let rangeText = fields[index].text, let range = try? ShardRangeText.bounds(rangeText),
                    let sourceText = fields[index + 1].text, let named = try? ShardEndpoint(url: sourceText),
                    let line = map.route(range.lowerBound), line.bounds == range, line.endpoint == endpoint
                else { continue }
                let source = map.endpoints.first { $0.sameServer(named) } ?? named
                moves.append(MoveUnderWay(range: range, source: source))
            }
        }
        return moves
    }
}
