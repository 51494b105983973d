import Glibc

/// A signal the daemon turns into an event instead of dying of it.
public enum ProcessSignal: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SIGTERM: stop (systemd's `KillSignal=`).
    case terminate
    /// SIGINT: stop (Ctrl-C in a terminal).
    case interrupt
    /// SIGHUP: reload the configuration (`ExecReload=`).
    case hangup
    /// SIGUSR1.
    case user1
    /// SIGUSR2.
    case user2

    /// The signal's number.
    public var number: Int32 {
        switch self {
        case .terminate: SIGTERM
        case .interrupt: SIGINT
        case .hangup: SIGHUP
        case .user1: SIGUSR1
        case .user2: SIGUSR2
        }
    }

    public var description: String {
        switch self {
        case .terminate: "SIGTERM"
        case .interrupt: "SIGINT"
        case .hangup: "SIGHUP"
        case .user1: "SIGUSR1"
        case .user2: "SIGUSR2"
        }
    }
}
