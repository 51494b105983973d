import SystemCalls
import Foundation
import CSystem  // owns <sys/socket.h>: SOCK_NONBLOCK, SOCK_CLOEXEC, MSG_* are found through it
import Glibc
import Logging

/// Tells systemd about the daemon's state with the `sd_notify` protocol, without libsystemd:
/// one datagram per call on an AF_UNIX socket to `NOTIFY_SOCKET`. Under `Type=notify` systemd
/// waits for `READY=1`; with `WatchdogSec=` it restarts the daemon when `WATCHDOG=1` stops
/// coming (see ``runWatchdog(healthy:)``).
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing; that is said once, at
/// debug level, when the notifier is made.
public struct SystemdNotifier: Sendable {
    /// Where notifications go; nil when not started by systemd.
    public let socketAddress: NotifySocketAddress?
    /// The watchdog systemd expects pings for, or nil.
    public let watchdog: SystemdWatchdog?
    private let logger: Logger

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment` (the
    /// process's by default; tests pass their own). The environment is left as it is.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        self.logger = logger
        let value = environment["NOTIFY_SOCKET"] ?? ""
        socketAddress = NotifySocketAddress(value)
        watchdog = socketAddress == nil ? nil : SystemdWatchdog(environment: environment)
        if value.isEmpty {
            logger.debug("not started by systemd (NOTIFY_SOCKET is unset): no readiness or watchdog notifications")
        } else if socketAddress == nil {
            logger.warning("NOTIFY_SOCKET=\(value) is not a path or @abstract name: no notifications to systemd")
        }
    }

    /// Whether notifications go anywhere.
    public var isEnabled: Bool { socketAddress != nil }

    /// Sends `notifications` in one datagram (does nothing when not under systemd).
    public func send(_ notifications: [SystemdNotification]) throws(SystemdNotifyError) {
        guard let socketAddress, !notifications.isEmpty else { return }
        let message = Array(notifications.flatMap(\.lines).joined(separator: "\n").utf8)
        let fd: Int32
        do {
            fd = try SystemCall.check(socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0), "socket")
        } catch {
            throw .cannotOpenSocket(errno: error.code)
        }
        defer { SystemCall.close(fd) }
        // MSG_DONTWAIT: never block the calling thread (a task's, often) on a full queue.
        let sent: Int
        do {
            sent = try SystemCall.check(
                socketAddress.withSocketAddress { address, length in
                    message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), address, length) }
                }, "sendto")
        } catch {
            throw .sendFailed(address: socketAddress, errno: error.code)
        }
        guard sent == message.count else { throw .sendFailed(address: socketAddress, errno: EMSGSIZE) }
    }

    /// Start-up is done: `READY=1`, with a status line when given.
    public func ready(status: String? = nil) {
        sendLogging([.ready] + (status.map { [.status($0)] } ?? []))
    }

    /// A reload (SIGHUP) begins: `RELOADING=1` and `MONOTONIC_USEC=`. Send ``ready(status:)``
    /// when it is done.
    public func reloading() {
        sendLogging([.reloading])
    }

    /// Shutdown begins: `STOPPING=1`, with a status line when given.
    public func stopping(status: String? = nil) {
        sendLogging([.stopping] + (status.map { [.status($0)] } ?? []))
    }

    /// A line for `systemctl status`.
    public func status(_ text: String) {
        sendLogging([.status(text)])
    }

    /// Pings the watchdog every ``SystemdWatchdog/pingInterval`` — first at once — while
    /// `healthy()` says so, until the task is cancelled. An unhealthy (or hung) check sends no
    /// ping, so systemd restarts a wedged daemon after `WatchdogSec=`. Returns at once when
    /// systemd asked for no watchdog.
    public func runWatchdog(healthy: @escaping @Sendable () async -> Bool) async {
        guard isEnabled, let watchdog else { return }
        logger.debug("systemd watchdog: \(watchdog.timeout) timeout, pinging every \(watchdog.pingInterval)")
        var wasHealthy = true
        while !Task.isCancelled {
            let isHealthy = await healthy()
            if isHealthy {
                if !wasHealthy { logger.info("systemd watchdog: the daemon is healthy again; pinging resumed") }
                sendLogging([.watchdog])
            } else if wasHealthy {
                logger.warning("systemd watchdog: the daemon is unhealthy; no pings until it recovers (systemd restarts it after \(watchdog.timeout))")
            }
            wasHealthy = isHealthy
            do {
                try await Task.sleep(for: watchdog.pingInterval)
            } catch {
                return
            }
        }
    }

    private func sendLogging(_ notifications: [SystemdNotification]) {
        do {
            try send(notifications)
        } catch {
            logger.warning("\(error)")
        }
    }
}
