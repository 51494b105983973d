import CHiredis
import Glibc
import ShardRouter

/// The only Swift file that touches hiredis pointers: one blocking connection to one Redis
/// server, with connect and command timeouts, that sends commands pipelined.
///
/// Not thread-safe (neither is a `redisContext`): a ``ShardWorker`` owns each connection and
/// uses it from its own serial queue only. Every hiredis status goes through ``check(_:_:)``:
/// after any error the context is freed; the next call connects again (hiredis 0.14 cannot
/// reuse a context after an error).
public final class RedisConnection {
    public let endpoint: ShardEndpoint
    let connectTimeout: Duration
    let commandTimeout: Duration
    private var context: UnsafeMutablePointer<redisContext>?

    public init(endpoint: ShardEndpoint, connectTimeout: Duration, commandTimeout: Duration) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    deinit { close() }

    public var isConnected: Bool { context != nil }

    /// Sends `commands` in one round trip and returns one reply per command (error replies
    /// included, as `.error`). Connects first when needed.
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let context = try connected()
        for command in commands { try append(command, to: context) }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for command in commands {
            var raw: UnsafeMutablePointer<redisReply>?
            try check(hd_redis_get_reply(context, &raw), \.error)
            guard let raw else {  // not with REDIS_OK in blocking mode; said rather than assumed
                close()
                throw .io("hiredis returned no reply")
            }
            replies.append(command.replyShape == .entryKeys ? Self.keys(raw) : Self.reply(raw))
            freeReplyObject(raw)
        }
        return replies
    }

    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    // MARK: - Connecting

    private func connected() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        guard let created = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), Self.timeval(connectTimeout)) else {
            throw .connect("out of memory")
        }
        context = created
        try check(created.pointee.err == 0 ? REDIS_OK : REDIS_ERR) { .connect($0.text) }
        try check(redisSetTimeout(created, Self.timeval(commandTimeout))) { _ in .connect("cannot set the command timeout") }
        // TCP keepalive: a NAT or firewall that forgets an idle connection would otherwise show
        // up as a timeout at the next round trip (and a timeout is not retried).
        try check(redisEnableKeepAlive(created)) { .connect("cannot enable TCP keepalive: \($0.text)") }
        var setup: [RedisCommand] = []
        if let password = endpoint.password { setup.append(RedisCommand("AUTH", password)) }
        if endpoint.database != 0 { setup.append(RedisCommand("SELECT", String(endpoint.database))) }
        if !setup.isEmpty {
            for case .error(let message) in try pipeline(setup) {
                close()
                throw .server(message)
            }
        }
        return created
    }

    /// Queues `command` in hiredis's output buffer (sent by the next read of a reply); fails
    /// only when hiredis runs out of memory.
    private func append(_ command: RedisCommand, to context: UnsafeMutablePointer<redisContext>) throws(RedisError) {
        // hiredis copies the bytes into its output buffer during the call.
        let status = command.encoded.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                hd_redis_append_formatted(context, chars.baseAddress, chars.count)
            }
        }
        try check(status) { .io("cannot queue a command: \($0.text)") }
    }

    // MARK: - The hiredis funnel

    /// What the context said when a call failed, read at once: `errno` is read here, once, right
    /// after the call, before anything else can change it.
    private struct Failure {
        /// The context's `err` (`REDIS_ERR_IO`, `REDIS_ERR_EOF`…).
        let code: Int32
        /// `errno` after the call, meaningful for `REDIS_ERR_IO`.
        let systemError: Int32
        /// The context's `errstr`.
        let text: String

        /// A command's failure: the timeout when the I/O error was the socket's timeout, else
        /// the connection failed.
        var error: RedisError {
            if code == REDIS_ERR_IO, systemError == EAGAIN || systemError == EWOULDBLOCK || systemError == ETIMEDOUT {
                return .timeout
            }
            return .io(text)
        }
    }

    /// The one place a hiredis status is judged. `REDIS_OK` returns; anything else reads what
    /// the context says, frees the context (hiredis 0.14 cannot reuse one after an error) and
    /// throws what `failure` makes of it.
    private func check(_ status: Int32, _ failure: (Failure) -> RedisError) throws(RedisError) {
        guard status != REDIS_OK else { return }
        let systemError = errno
        let said = context.map { context in
            Failure(
                code: context.pointee.err, systemError: systemError,
                text: hd_redis_context_errstr(context).map { String(cString: $0) } ?? "error \(context.pointee.err)")
        }
        close()
        throw failure(said ?? Failure(code: REDIS_ERR, systemError: systemError, text: "no connection"))
    }

    // MARK: - Replies and errors

    private static func reply(_ raw: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let reply = raw.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(reply))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element[index] { elements.append(Self.reply(element)) }
            }
            return .array(elements)
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.integer))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(reply), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(reply), as: UTF8.self))
        default:  // REDIS_REPLY_NIL
            return .bulk(nil)
        }
    }

    /// An array of 8-byte bulk strings as big-endian integers; other members are skipped.
    private static func keys(_ raw: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let reply = raw.pointee
        guard reply.type == REDIS_REPLY_ARRAY else { return Self.reply(raw) }
        var keys: [UInt64] = []
        keys.reserveCapacity(reply.elements)
        for index in 0..<reply.elements {
            guard let element = reply.element[index]?.pointee, element.type == REDIS_REPLY_STRING, element.len == 8,
                let text = element.str
            else { continue }
            keys.append(UInt64(bigEndian: UnsafeRawPointer(text).loadUnaligned(as: UInt64.self)))
        }
        return .keys(keys)
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let text = reply.str, reply.len > 0 else { return [] }
        return text.withMemoryRebound(to: UInt8.self, capacity: reply.len) { Array(UnsafeBufferPointer(start: $0, count: reply.len)) }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
