import RedisWire

/// What went wrong with a Redis round trip or one of its replies: the `kind` label of
/// `hubdiffer_store_errors_total{shard,kind}` and the rule for what the store does about it.
///
/// Redis names an error reply by its first word (`OOM command not allowed when used memory >
/// 'maxmemory'`, `READONLY You can't write against a read only replica`, `LOADING Redis is
/// loading the dataset in memory`…); that word, lower-cased, is the kind. Failures of the
/// connection itself have kinds of their own.
public struct StoreErrorKind: Hashable, Sendable, CustomStringConvertible {
    /// The label: `oom`, `readonly`, `loading`, `wrongtype`, `err`…, or `connect`, `io`,
    /// `timeout`, `closed` for the connection.
    public let label: String

    public var description: String { label }

    /// Whether the condition passes with time (the shard is loading, full, a replica, busy…):
    /// worth retrying later, unlike an error about the command itself.
    public var passes: Bool { consequence != .operationFailed }

    /// What the store does when a reply of this kind comes back.
    enum Consequence: Equatable {
        /// The shard cannot serve anything (loading, not authenticated, no master…): the
        /// circuit breaker opens as after a dead connection.
        case shardDown
        /// The shard serves reads but refuses writes (out of memory, a read-only replica, a
        /// failed snapshot with `stop-writes-on-bgsave-error`): diffs stay exact, marks fail,
        /// and `hubdiffer_store_shard_writable` says so.
        case writesRefused
        /// Only this operation failed (a key of the wrong type, a bad argument).
        case operationFailed
    }

    var consequence: Consequence {
        switch label {
        case "loading", "masterdown", "master_down", "busy", "noauth", "wrongpass", "noperm", "tryagain", "clusterdown", "server":
            return .shardDown
        case "oom", "readonly", "misconf", "noreplicas":
            return .writesRefused
        default:
            return .operationFailed
        }
    }

    /// The kind of an error reply: its leading upper-case word, lower-cased (`err` when it has none).
    public init(reply message: String) {
        let word = message.utf8.prefix { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 == UInt8(ascii: "_") }
        label = word.isEmpty || word.count > 16 ? "err" : String(decoding: word, as: UTF8.self).lowercased()
    }

    /// The kind of a failed round trip.
    init(_ error: RedisError) {
        switch error {
        case .connect: label = "connect"
        case .io: label = "io"
        case .timeout: label = "timeout"
        case .cancelled: label = "cancelled"
        case .server(let message):
            // AUTH or SELECT refused while connecting: the shard cannot be used at all.
            let kind = StoreErrorKind(reply: message)
            label = kind.consequence == .shardDown ? kind.label : "server"
        }
    }

    /// A connection the server closed while it sat idle (redis.conf `timeout`), found when
    /// the next round trip began; the worker retried once on a fresh connection.
    static let closed = StoreErrorKind(label: "closed")

    private init(label: String) { self.label = label }

    /// What one line of the log says about this kind (with the reply's own text).
    func advice(_ detail: String) -> String {
        switch label {
        case "oom":
            "the shard refuses writes (out of memory): entries are not recorded and are held in memory until it accepts them; set maxmemory higher, or maxmemory-policy noeviction with room to grow (\(detail))"
        case "readonly":
            "the shard is a read-only replica: entries are not recorded; point shards.conf at the primary (\(detail))"
        case "misconf":
            "the shard refuses writes because it cannot persist to disk: entries are not recorded; fix its disk or `dir`, see its log (\(detail))"
        case "closed":
            "the server closed an idle connection; reconnected and retried once (redis.conf `timeout 0` avoids it) (\(detail))"
        default:
            "the shard answered with an error: \(detail)"
        }
    }
}
