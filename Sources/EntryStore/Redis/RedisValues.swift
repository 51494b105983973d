/// One Redis command: its arguments as bytes (binary-safe: entry keys are 8 raw bytes).
public struct RedisCommand: Sendable {
    public var arguments: [[UInt8]]

    public init(_ arguments: [[UInt8]]) { self.arguments = arguments }

    /// A command from text arguments and, after them, binary ones.
    public init(_ words: String..., binary: [[UInt8]] = []) {
        arguments = words.map { Array($0.utf8) } + binary
    }
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

    public var description: String {
        switch self {
        case .connect(let why): return "cannot connect: \(why)"
        case .io(let why): return "connection failed: \(why)"
        case .timeout: return "no reply within the command timeout"
        case .server(let why): return "server refused: \(why)"
        }
    }
}
