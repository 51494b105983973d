import Glibc

/// The service watchdog systemd asked for (`WatchdogSec=` in the unit): the daemon must send
/// `WATCHDOG=1` at least every ``timeout``; pinging every ``pingInterval`` (half of it) leaves
/// room for one late ping.
public struct SystemdWatchdog: Sendable, Hashable {
    /// `WATCHDOG_USEC`.
    public let timeout: Duration

    /// How often to ping: half of ``timeout``.
    public var pingInterval: Duration { timeout / 2 }

    public init(timeout: Duration) { self.timeout = timeout }

    /// Reads `WATCHDOG_USEC` (a positive number of microseconds) and `WATCHDOG_PID`, which,
    /// when set, must be this process's pid: otherwise the watchdog is another process's (set
    /// for a parent, inherited by us) and nil is returned, as sd_watchdog_enabled(3) does.
    public init?(environment: [String: String], processID: pid_t = getpid()) {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
            microseconds <= UInt64(Int64.max)
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let pid = pid_t(pidText), pid == processID else { return nil }
        }
        timeout = .microseconds(Int64(microseconds))
    }
}
