import SystemCalls
import Glibc

/// One state change told to systemd through `sd_notify`'s protocol (see sd_notify(3)).
public enum SystemdNotification: Sendable, Hashable {
    /// Start-up (or a reload) is finished: `READY=1`.
    case ready
    /// A reload begins: `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC now), which
    /// systemd 253's `Type=notify-reload` requires; earlier versions ignore it.
    case reloading
    /// Shutdown begins: `STOPPING=1`.
    case stopping
    /// One line for `systemctl status`: `STATUS=…` (line breaks become spaces).
    case status(String)
    /// The watchdog keep-alive: `WATCHDOG=1`.
    case watchdog
    /// Asks for more time for the current start-up, reload or stop: `EXTEND_TIMEOUT_USEC=`.
    case extendTimeout(Duration)

    /// The `KEY=value` lines of this notification (`.reloading` reads the clock).
    var lines: [String] {
        switch self {
        case .ready: ["READY=1"]
        case .reloading: ["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"]
        case .stopping: ["STOPPING=1"]
        case .status(let text): ["STATUS=" + String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })]
        case .watchdog: ["WATCHDOG=1"]
        case .extendTimeout(let duration): ["EXTEND_TIMEOUT_USEC=\(Self.microseconds(duration))"]
        }
    }

    /// CLOCK_MONOTONIC in microseconds, the clock systemd compares `MONOTONIC_USEC` with.
    /// clock_gettime(2) fails only for a clock the kernel lacks (EINVAL) or a bad pointer, and
    /// every Linux has CLOCK_MONOTONIC: a failure is a broken system, not a case to handle.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        do {
            try SystemCall.check(clock_gettime(CLOCK_MONOTONIC, &now), "clock_gettime")
        } catch {
            preconditionFailure("clock_gettime(CLOCK_MONOTONIC) failed: \(error.message)")
        }
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }
}
