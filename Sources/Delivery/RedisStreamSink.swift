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
        commands.reserveCapacity(batches.reduce(2) { $0 + $1.entries.count })
        for batch in batches {
            for entry in batch.entries {
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
                        arguments.append(entry)
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

    /// `redis://[:***@]host:port/KEY`.
    public static func redacted(_ target: Target) -> String {
        let auth = target.endpoint.password == nil ? "" : ":***@"
        let host = target.endpoint.host.contains(":") ? "[\(target.endpoint.host)]" : target.endpoint.host
        let database = target.endpoint.database == 0 ? "" : "?db=\(target.endpoint.database)"
        return "redis://\(auth)\(host):\(target.endpoint.port)/\(percentEncoded(target.key))\(database)"
    }

    // MARK: - The URL

    public static let usage = "redis://[:PASSWORD@]HOST[:PORT]/STREAM-KEY[?maxlen=N&db=D]"

    /// Parses `redis://[:PASSWORD@]HOST[:PORT]/KEY[?maxlen=N&db=D]`: the path (percent-decoded,
    /// slashes kept) is the stream key, not a database number.
    public static func parse(_ url: String) throws(SinkURLError) -> Target {
        func refuse(_ why: String) -> SinkURLError {
            SinkURLError(description: "--sink \(redactedText(url)): \(why); write \(usage)")
        }
        guard url.lowercased().hasPrefix("redis://") else { throw refuse("not a redis:// URL") }
        var rest = Substring(url.dropFirst("redis://".count))
        guard !rest.contains("#") else { throw refuse("a fragment (#) has no meaning here") }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw refuse("the stream key is missing") }
        var authority = rest[..<slash]
        let rawKey = rest[rest.index(after: slash)...]

        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            guard userinfo.first == ":" else {
                throw refuse("only a password can be given (no user name): redis://:PASSWORD@HOST…")
            }
            guard let decoded = percentDecoded(userinfo.dropFirst()), !decoded.isEmpty else {
                throw refuse("the password is empty or badly percent-encoded")
            }
            password = decoded
        }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw refuse("an IPv6 address lacks its ]") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refuse("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw refuse("an IPv6 address goes in brackets: redis://[::1]:6379/KEY") }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
        }
        guard !host.isEmpty else { throw refuse("the host is missing") }
        var port = ShardEndpoint.defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw refuse("the port \(String(portText).debugDescription) is not 1–65535")
            }
            port = number
        }

        guard let key = percentDecoded(rawKey), !key.isEmpty else {
            throw refuse("the stream key is missing or badly percent-encoded")
        }
        if key.allSatisfy(\.isNumber) && key.count <= 2 {
            throw refuse(
                "\(key.debugDescription) looks like a database number, but the path is the stream key (use ?db=\(key) for a database)"
            )
        }

        var maxLength: Int? = defaultMaxLength
        var database = 0
        for parameter in query.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count == 2 ? pair[1] : ""
            switch pair[0] {
            case "maxlen":
                guard let number = Int(value), number >= 0 else {
                    throw refuse("maxlen must be a whole number (0: no trimming), not \(String(value).debugDescription)")
                }
                maxLength = number == 0 ? nil : number
            case "db":
                guard let number = Int(value), (0...ShardEndpoint.maxDatabase).contains(number) else {
                    throw refuse("db must be 0–\(ShardEndpoint.maxDatabase), not \(String(value).debugDescription)")
                }
                database = number
            default:
                throw refuse("unknown parameter \(String(pair[0]).debugDescription) (maxlen and db are known)")
            }
        }

        do {
            let endpoint = try ShardEndpoint(host: String(host), port: port, database: database, password: password)
            return Target(endpoint: endpoint, key: key, maxLength: maxLength)
        } catch {
            throw refuse("\(error)")
        }
    }

    /// `url` with the password of `redis://:PASSWORD@…` replaced by `***`, for error messages.
    public static func redactedText(_ url: String) -> String {
        guard url.lowercased().hasPrefix("redis://") else { return url }
        let rest = url.dropFirst("redis://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return "redis://:***" + rest[at...]
    }

    /// Percent-decoding; nil for a `%` not followed by two hex digits or bytes that are not
    /// UTF-8.
    public static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The key as it goes in a URL: unreserved characters and `/` as they are, the rest
    /// percent-encoded.
    public static func percentEncoded(_ key: String) -> String {
        var text = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: ":"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return text
    }
}
