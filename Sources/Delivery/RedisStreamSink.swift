import RedisWire
import EntryStore
import Logging
import Metrics
import ShardRouter

/// `--sink redis://[:PASSWORD@]HOST[:PORT]/KEY[?maxlen=N&db=D]`: each new entry appended to the
/// stream KEY as `XADD KEY MAXLEN ~ N * feed <id> entry <json>` (N 1,000,000 by default;
/// `maxlen=0` does not trim). The entries of a deliver, and of all delivers within 50 ms (up
/// to 1,000 entries), go in one round trip, wrapped in `MULTI`/`EXEC` so a group is added
/// whole or not at all; a deliver is answered true once every `XADD` of its group answered
/// with an ID.
///
/// The stream is the hub's queue, so a failure is not skipped the way the entry store skips
/// one: a lost connection, a timeout or a passing error (`LOADING`, `OOM`, `READONLY`, …) is
/// retried with backoff from 0.5 s doubling to 30 s for as long as it takes, the polls waiting
/// meanwhile. An error that will not pass (`WRONGTYPE`: KEY is not a stream; a refused `AUTH`)
/// is logged and answered false: the entries stay unmarked and are offered again at the feeds'
/// next polls. Redis commands run on the client's own queue, never the cooperative pool.
public final class RedisStreamSink: EntrySink {
    /// What a sink URL names.
    public struct Target: Sendable, Equatable {
        public var endpoint: ShardEndpoint
        public var key: String
        /// `MAXLEN ~` of each XADD; nil: no trimming.
        public var maxLength: Int?
    }

    public static let defaultMaxLength = 1_000_000

    public let description: String
    public let target: Target
    private let client: RedisClient
    private let batcher: SinkBatcher

    public init(
        target: Target, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(10),
        limits: SinkBatcher.Limits = SinkBatcher.Limits(maxEntries: 1000, window: .milliseconds(50)),
        logger: Logger = Logger(label: "hubdiffer.sink"), metrics: MetricsFactory = MetricsSystem.factory
    ) {
        self.target = target
        let name = Self.redacted(target)
        description = name
        let client = RedisClient(endpoint: target.endpoint, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        self.client = client
        batcher = SinkBatcher(name: name, kind: "redis", limits: limits, logger: logger, metrics: metrics) { batches in
            let commands = Self.commands(batches, target: target)
            do throws(RedisError) {
                return Self.outcome(try await client.pipeline(commands), commands: commands.count)
            } catch {
                switch error {
                case .server(let why): return .rejected(reason: "Redis refused the connection's set-up: \(why)")
                default: return .retry(after: nil, reason: "Redis \(error)")
                }
            }
        }
    }

    deinit { client.close() }

    public func deliver(_ batch: SinkBatch) async -> Bool {
        await batcher.deliver(batch)
    }

    public func flush(deadline: ContinuousClock.Instant) async {
        await batcher.flush(deadline: deadline)
    }

    /// `MULTI`, one `XADD` per entry in order, `EXEC`.
    public static func commands(_ batches: [SinkBatch], target: Target) -> [RedisCommand] {
        var commands = [RedisCommand("MULTI")]
        commands.reserveCapacity(batches.reduce(2) { $0 + $1.count })
        for batch in batches {
            batch.forEachEntry { entry in
                let count = target.maxLength == nil ? 7 : 10
                commands.append(
                    RedisCommand(count: count) { arguments in
                        arguments.append("XADD")
                        arguments.append(target.key)
                        if let maxLength = target.maxLength {
                            arguments.append("MAXLEN")
                            arguments.append("~")
                            arguments.append(integer: Int64(maxLength))
                        }
                        arguments.append("*")
                        arguments.append("feed")
                        arguments.append(integer: batch.feed)
                        arguments.append("entry")
                        arguments.append(bytes: entry)
                    })
            }
        }
        commands.append(RedisCommand("EXEC"))
        return commands
    }

    /// Whether the replies of ``commands(_:target:)`` say every XADD added its entry.
    public static func outcome(_ replies: [RedisReply], commands: Int) -> SinkSendOutcome {
        guard replies.count == commands, commands >= 2 else {
            return .retry(after: nil, reason: "Redis answered \(replies.count) replies to \(commands) commands")
        }
        // An error while queueing (OOM, a wrong argument) aborts the transaction: that error
        // says more than EXEC's EXECABORT.
        for reply in replies.dropLast() {
            if case .error(let message) = reply { return classify(message) }
        }
        switch replies[replies.count - 1] {
        case .array(let results?) where results.count == commands - 2:
            for result in results {
                switch result {
                case .bulk(let id?) where !id.isEmpty: continue
                case .error(let message): return classify(message)
                default: return .retry(after: nil, reason: "Redis answered an XADD with \(result), not an ID")
                }
            }
            return .delivered
        case .error(let message):
            return classify(message)
        case let other:
            return .retry(after: nil, reason: "Redis answered EXEC with \(other)")
        }
    }

    /// Error replies that pass with time (a server loading its data, out of memory under
    /// `noeviction`, a replica during failover…) are retried; the rest are for good.
    public static func classify(_ message: String) -> SinkSendOutcome {
        StoreErrorKind(reply: message).passes
            ? .retry(after: nil, reason: "Redis: \(message)") : .rejected(reason: "Redis refused the XADD: \(message)")
    }
}
