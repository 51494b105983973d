import AsyncBridges
import RedisWire
import Dispatch
import Foundation
import Logging
import Metrics
import ShardRouter
import Synchronization

/// One Redis shard: its connection, on a serial dispatch queue of its own (never the
/// cooperative pool: hiredis blocks), its circuit breaker, and a queue of requests that go out
/// together, so commands of many feeds share one pipelined round trip.
///
/// Every reply is checked: error replies are counted and logged by kind (``StoreErrorReporter``)
/// and, where they mean the shard cannot serve, open the circuit breaker (``StoreErrorKind``).
/// A connection the server closed while idle is retried once on a fresh one before the shard
/// is called down.
///
/// `@unchecked Sendable`: `connection`, `breaker`, `errors` and `writable` are touched only on
/// `queue` (every use is inside `drain()`, which runs only there); `pending` and `draining`
/// are guarded by their mutex, `marker` by its own; everything else is immutable.
final class ShardWorker: @unchecked Sendable {
    typealias Completion = @Sendable (Result<[RedisReply], RedisError>) -> Void

    private struct Request {
        var commands: [RedisCommand]
        var completion: Completion
    }

    let endpoint: ShardEndpoint
    private let queue: DispatchQueue
    private let connection: RedisConnection
    private var breaker: CircuitBreaker
    private let logger: Logger
    private let pending = Mutex<(requests: [Request], draining: Bool)>(([], false))
    private let skipped = Atomic<Int>(0)
    private let skippedCounter: Counter
    private let upGauge: Gauge
    private let writableGauge: Gauge
    private let errors: StoreErrorReporter
    /// False after the shard refused a write (OOM, READONLY, MISCONF) until a write succeeds.
    private var writable = true
    /// What this process knows of the shard's marker (see ``ShardMarker``).
    let marker = Mutex(ShardMarker())

    init(endpoint: ShardEndpoint, options: EntryStoreOptions, logger: Logger, metrics: MetricsFactory) {
        self.endpoint = endpoint
        queue = DispatchQueue(label: "hubdiffer.shard.\(endpoint.redactedURL)")
        connection = RedisConnection(
            endpoint: endpoint, connectTimeout: options.connectTimeout, commandTimeout: options.commandTimeout)
        breaker = CircuitBreaker(firstPause: options.firstPause, maximumPause: options.maximumPause)
        var logger = logger
        logger[metadataKey: "shard"] = "\(endpoint.redactedURL)"
        self.logger = logger
        let dimensions = [("shard", endpoint.redactedURL)]
        skippedCounter = Counter(label: "hubdiffer_store_skipped_operations_total", dimensions: dimensions, factory: metrics)
        upGauge = Gauge(label: "hubdiffer_store_shard_up", dimensions: dimensions, factory: metrics)
        upGauge.record(1)
        writableGauge = Gauge(label: "hubdiffer_store_shard_writable", dimensions: dimensions, factory: metrics)
        writableGauge.record(1)
        errors = StoreErrorReporter(shard: endpoint.redactedURL, logger: self.logger, metrics: metrics)
    }

    /// Operations skipped because the shard was down (failed or paused).
    var skippedOperations: Int { skipped.load(ordering: .relaxed) }

    /// Runs `commands` in one round trip, batched with whatever else is waiting.
    func run(_ commands: [RedisCommand]) async -> Result<[RedisReply], RedisError> {
        await run(commands) { $0 }
    }

    /// Runs `commands` and hands the outcome to `inspect` on the shard's queue, in the order
    /// the round trips ran (so state read from the shard is observed in order); returns what
    /// `inspect` returns. A cancelled caller stops waiting at once with `inspect` of
    /// ``RedisError/cancelled``, made on the caller's side (not the shard's failure: the breaker
    /// never hears of it); the commands, once queued, still run.
    func run<Value: Sendable>(
        _ commands: [RedisCommand], inspecting inspect: @escaping @Sendable (Result<[RedisReply], RedisError>) -> Value
    ) async -> Value {
        await OneAnswer.awaiting(ifCancelled: inspect(.failure(.cancelled))) { answer in
            submit(commands) { answer.give(inspect($0)) }
        }
    }

    func submit(_ commands: [RedisCommand], completion: @escaping Completion) {
        let startDrain = pending.withLock { state -> Bool in
            state.requests.append(Request(commands: commands, completion: completion))
            if state.draining { return false }
            state.draining = true
            return true
        }
        if startDrain { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = pending.withLock { state -> [Request] in
                let batch = state.requests
                state.requests.removeAll()
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            execute(batch)
        }
    }

    private func execute(_ batch: [Request]) {
        let now = ContinuousClock.now
        guard breaker.allows(at: now) else {
            countSkipped(batch.count)
            for request in batch { request.completion(.failure(.io("shard paused after a failure"))) }
            return
        }
        let commands = batch.flatMap(\.commands)
        do {
            let replies = try roundTrip(commands)
            if checkReplies(replies, of: commands) {
                if breaker.recordSuccess() {
                    logger.notice("shard is back")
                    upGauge.record(1)
                }
            } else {
                shardFailed(.server("the shard answered that it cannot serve"), logged: false)
            }
            var offset = 0
            for request in batch {
                request.completion(.success(Array(replies[offset..<offset + request.commands.count])))
                offset += request.commands.count
            }
        } catch {
            errors.report(StoreErrorKind(error), detail: "\(error)", logged: false)
            shardFailed(error, logged: true)
            countSkipped(batch.count)
            for request in batch { request.completion(.failure(error)) }
        }
    }

    /// One pipelined round trip. A connection that was open before it and fails with an I/O
    /// error was most likely closed by the server while idle (redis.conf `timeout`): the
    /// commands are sent once more on a fresh connection (they are all idempotent: ZADD NX,
    /// ZREM, HSET, DEL, reads).
    private func roundTrip(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        let reused = connection.isConnected
        do {
            return try connection.pipeline(commands)
        } catch .io(let why) where reused {
            let replies = try connection.pipeline(commands)
            // Said only when the fresh connection worked: a server that died is the breaker's
            // line ("shard is down"), not this one.
            errors.report(.closed, detail: why)
            return replies
        }
    }

    /// Reports the error replies of a round trip; false when one of them says the shard
    /// cannot serve at all.
    private func checkReplies(_ replies: [RedisReply], of commands: [RedisCommand]) -> Bool {
        var serving = true
        var refusedWrite = false
        for case .error(let message) in replies {
            let kind = StoreErrorKind(reply: message)
            errors.report(kind, detail: message)
            switch kind.consequence {
            case .shardDown: serving = false
            case .writesRefused: refusedWrite = true
            case .operationFailed: break
            }
        }
        if refusedWrite, writable {
            writable = false
            writableGauge.record(0)
        } else if !refusedWrite, !writable, serving, commands.contains(where: \.addsData),
            !replies.contains(where: \.isError)
        {
            writable = true
            writableGauge.record(1)
            logger.notice("shard accepts writes again")
        }
        return serving
    }

    private func shardFailed(_ error: RedisError, logged: Bool) {
        if breaker.recordFailure(at: ContinuousClock.now) {
            if logged {
                logger.warning("shard is down; skipping it, probing again with growing pauses", metadata: ["error": "\(error)"])
            }
            upGauge.record(0)
        }
    }

    /// Operations answered "unknown" without the shard: in the process's count and as
    /// `hubdiffer_store_skipped_operations_total{shard}`.
    private func countSkipped(_ count: Int) {
        skipped.add(count, ordering: .relaxed)
        skippedCounter.increment(by: count)
    }
}
