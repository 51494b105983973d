import Dispatch
import ShardRouter

/// One connection to one Redis server for the tools beside the store (`hubdiffer shards move`,
/// the Redis stream sink): commands run in the order they are given, on a serial queue of
/// the client's own (hiredis blocks; never the cooperative pool), and failures are returned
/// to the caller instead of being skipped.
///
/// `@unchecked Sendable`: `connection` is used only inside `queue.async` blocks, and `queue` is
/// serial, so it is never used by two threads at once; `endpoint` is immutable.
public final class RedisClient: @unchecked Sendable {
    /// The server.
    public let endpoint: ShardEndpoint
    private let queue: DispatchQueue
    private let connection: RedisConnection

    /// A client of `endpoint`; it connects at its first command, and again after a failure.
    public init(endpoint: ShardEndpoint, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(10)) {
        self.endpoint = endpoint
        queue = DispatchQueue(label: "hubdiffer.redis-client.\(endpoint.redactedURL)")
        connection = RedisConnection(endpoint: endpoint, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    /// Sends `commands` in one round trip; one reply per command (error replies included).
    ///
    /// - Throws: the ``RedisError`` that ended the round trip (the connection is then dropped).
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        let outcome: Result<[RedisReply], RedisError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(RedisError) {
                    continuation.resume(returning: .success(try self.connection.pipeline(commands)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try outcome.get()
    }

    /// Closes the connection (the next command opens another).
    public func close() {
        queue.async { self.connection.close() }
    }
}
