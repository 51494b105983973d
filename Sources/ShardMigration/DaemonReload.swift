import Foundation
import Glibc

/// How `hubdiffer shards move` makes a running daemon read the new map: SIGHUP to its pid.
public enum DaemonReload: Equatable {
    /// No daemon uses the map (the operator said so with `--no-daemon`).
    case none
    /// The daemon's process ID, and where it came from (for messages).
    case process(pid_t, from: String)

    /// The pid file the daemon writes under systemd (`RuntimeDirectory=hubdiffer`).
    public static let defaultPIDFile = "/run/hubdiffer/hubdiffer.pid"

    /// Finds the daemon from the options, or says what to pass.
    public static func resolve(pid: Int32?, pidFile: String?, noDaemon: Bool) throws(MoveFailure) -> DaemonReload {
        if noDaemon { return .none }
        if let pid {
            try check(pid, from: "--pid")
            return .process(pid, from: "--pid")
        }
        let file = pidFile ?? defaultPIDFile
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .daemon(
                "no daemon pid file at \(file): pass --pid PID or --pid-file FILE so the running daemon reloads the map, "
                    + "or --no-daemon when no daemon uses it")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text), pid > 0 else {
            throw .daemon("\(file) does not hold a process ID: pass --pid PID, or --no-daemon when no daemon uses the map")
        }
        try check(pid, from: file)
        return .process(pid, from: file)
    }

    private static func check(_ pid: pid_t, from origin: String) throws(MoveFailure) {
        guard kill(pid, 0) == 0 || errno == EPERM else {
            throw .daemon(
                "process \(pid) (from \(origin)) is not running: start the daemon or pass the right --pid; "
                    + "pass --no-daemon when no daemon uses the map")
        }
    }

    /// Sends SIGHUP; returns a line saying what was done.
    public func signal() throws(MoveFailure) -> String? {
        guard case .process(let pid, let origin) = self else { return nil }
        guard kill(pid, SIGHUP) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .daemon("cannot send SIGHUP to pid \(pid) (from \(origin)): \(reason); send it yourself, then run the same command again")
        }
        return "sent SIGHUP to the daemon (pid \(pid), from \(origin))"
    }
}
