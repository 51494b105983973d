import DaemonKit
import EntryStore
import RedisWire

/// Why `hubdiffer shards move` stopped. Each message says what to do next.
public enum MoveFailure: Error, CustomStringConvertible {
    /// A problem of the map or the arguments (the range is not one line of the map…).
    case refused(String)
    /// Another move of this map is unfinished, or another editor holds the lock.
    case busy(String)
    /// The daemon to reload cannot be found.
    case daemon(String)
    /// A server failed (its redacted URL, what it said).
    case server(String, RedisError)
    /// The journal cannot be read or written.
    case journal(String)
    /// Some feeds' keys did not arrive; nothing was deleted.
    case verification(String)
    /// SIGINT or SIGTERM: the move stopped between two steps.
    case interrupted(String)

    public var description: String {
        switch self {
        case .refused(let text), .busy(let text), .daemon(let text), .journal(let text), .verification(let text),
            .interrupted(let text):
            return text
        case .server(let url, let error):
            return "\(url): \(error): check that redis-server runs there and is reachable; then run the same command again"
        }
    }

    /// The exit status: 65 refused, 75 busy (try again), 64 daemon (a usage problem), 69 a
    /// server, 74 the journal, 70 verification, 130 interrupted.
    public var exitStatus: ExitStatus {
        switch self {
        case .refused: .dataError
        case .busy: .temporaryFailure
        case .daemon: .usage
        case .server: .unavailable
        case .journal: .ioError
        case .verification: .software
        case .interrupted: .interrupted
        }
    }
}
