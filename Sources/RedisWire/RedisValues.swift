/// One Redis command, encoded in the Redis protocol (RESP) when it is made — by the task that
/// makes it, so a shard's connection thread only writes bytes. Arguments are binary-safe
/// (entry keys are 8 raw bytes).
public struct RedisCommand: Sendable {
    /// The command as RESP bytes.
    public let encoded: [UInt8]
    /// How its reply is read (see ``RedisReplyShape``).
    public var replyShape: RedisReplyShape = .general

    public init(_ arguments: [[UInt8]]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.count + 16 })
        Self.appendHeader(UInt8(ascii: "*"), arguments.count, to: &bytes)
        for argument in arguments {
            Self.appendHeader(UInt8(ascii: "$"), argument.count, to: &bytes)
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
        encoded = bytes
    }

    /// A command from text arguments and, after them, binary ones.
    public init(_ words: String..., binary: [[UInt8]] = []) {
        self.init(words.map { Array($0.utf8) } + binary)
    }

    /// A command written argument by argument, without an array per argument: `count` is the
    /// number of arguments that `build` will append.
    public init(count: Int, _ build: (inout Arguments) -> Void) {
        var arguments = Arguments()
        Self.appendHeader(UInt8(ascii: "*"), count, to: &arguments.bytes)
        build(&arguments)
        encoded = arguments.bytes
    }

    /// The arguments of a command being built, appended straight in RESP.
    public struct Arguments {
        fileprivate var bytes: [UInt8] = []

        public mutating func append(_ text: String) {
            var text = text
            text.withUTF8 { append(bytes: $0) }
        }

        public mutating func append(bytes argument: UnsafeBufferPointer<UInt8>) {
            RedisCommand.appendHeader(UInt8(ascii: "$"), argument.count, to: &bytes)
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }

        public mutating func append(bytes argument: [UInt8]) {
            argument.withUnsafeBufferPointer { append(bytes: $0) }
        }

        /// A 64-bit value as 8 big-endian bytes (an entry key).
        public mutating func append(bigEndian value: UInt64) {
            bytes.append(contentsOf: [UInt8(ascii: "$"), UInt8(ascii: "8"), 0x0D, 0x0A])
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: [0x0D, 0x0A])
        }

        /// An integer in decimal.
        public mutating func append(integer value: Int64) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any Int64
            withUnsafeMutableBytes(of: &digits) { buffer in
                var magnitude = value.magnitude
                var index = buffer.count
                repeat {
                    index -= 1
                    buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if value < 0 {
                    index -= 1
                    buffer[index] = UInt8(ascii: "-")
                }
                RedisCommand.appendHeader(UInt8(ascii: "$"), buffer.count - index, to: &bytes)
                bytes.append(contentsOf: buffer[index...])
            }
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
    }

    /// Whether the command adds data (`ZADD`, `HSET`: what a shard at `maxmemory` refuses;
    /// `DEL` and `ZREM` it runs anyway). Read only while a shard refuses writes, to notice when
    /// it accepts them again.
    public var addsData: Bool {
        // "*N\r\n$L\r\nNAME\r\n…": the name is the first bulk string.
        guard let firstLine = encoded.firstIndex(of: 0x0A), let secondLine = encoded[(firstLine + 1)...].firstIndex(of: 0x0A)
        else { return false }
        let name = encoded[(secondLine + 1)...].prefix { $0 != 0x0D }
        return Self.writingCommands.contains(String(decoding: name, as: UTF8.self).uppercased())
    }

    private static let writingCommands: Set<String> = ["ZADD", "HSET"]

    fileprivate static func appendHeader(_ marker: UInt8, _ count: Int, to bytes: inout [UInt8]) {
        bytes.append(marker)
        if count < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(count))
        } else {
            var digits = String(count)
            digits.withUTF8 { bytes.append(contentsOf: $0) }
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
    }
}

/// How a command's reply is read into a ``RedisReply``.
public enum RedisReplyShape: Sendable {
    /// Any reply, element by element.
    case general
    /// An array of 8-byte members (entry keys, as `ZRANGE e:{feed}` returns them), read as
    /// big-endian integers into ``RedisReply/keys(_:)`` without an allocation per element.
    /// Members of another length are skipped; a reply that is not an array is read as `general`.
    case entryKeys
}

/// A Redis reply, as plain Swift values.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    /// A bulk string; nil is Redis's nil.
    case bulk([UInt8]?)
    /// An array; nil is a nil array.
    case array([RedisReply]?)
    /// An array of entry keys, for a command of shape ``RedisReplyShape/entryKeys``.
    case keys([UInt64])

    /// Whether this is an error reply.
    public var isError: Bool { if case .error = self { true } else { false } }

    /// A bulk or status reply as text.
    public var text: String? {
        switch self {
        case .bulk(let bytes?): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }
}

/// Why a Redis round trip failed. The connection is dropped after any of them.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Could not connect (refused, unreachable, connect timeout).
    case connect(String)
    /// The connection failed during a command (reset, closed).
    case io(String)
    /// No reply within the command timeout.
    case timeout
    /// The server answered with something the store cannot use (an error reply to AUTH, say).
    case server(String)
    /// The task waiting for the reply was cancelled; the command may still run.
    case cancelled

    public var description: String {
        switch self {
        case .connect(let why): return "cannot connect: \(why)"
        case .io(let why): return "connection failed: \(why)"
        case .timeout: return "no reply within the command timeout"
        case .server(let why): return "server refused: \(why)"
        case .cancelled: return "cancelled while waiting for the reply"
        }
    }
}
