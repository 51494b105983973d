import Foundation
import Glibc

/// A badly behaved HTTP/1.1 server for a test (`quirky_server.py`, run with python3): redirect
/// loops, ignored or weak validators, Retry-After, huge, chunked and slow bodies, and a log of
/// every request's headers. Stopped by `stop()` or when released.
///
/// Paths: `/feed/plain[?items=N]`, `/feed/same-etag`, `/feed/weak-etag`, `/gzip`,
/// `/big?mb=N`, `/big-chunked?mb=N`, `/loop`, `/redirect?code=C&to=URL`,
/// `/status?code=C&retry-after=V`, `/slow`, `/headers`, `/log` (see the script's docstring).
public final class QuirkyServer: @unchecked Sendable {
    // @unchecked Sendable: `host`, `port` and `stderrPath` are immutable; `process`, the only
    // mutable state, is only read or written while holding `lock`.
    /// The address the server is bound to (any 127.0.0.0/8 address works on Linux).
    public let host: String
    /// The port the server is bound to.
    public let port: Int
    private let stderrPath: String
    private let lock = NSLock()
    private var process: Process?

    /// `http://HOST:PORT`, without a trailing slash.
    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts the server on `host` and a port of the kernel's choice; returns once it listens
    /// (at most 10 s).
    public init(host: String = "127.0.0.1") throws {
        guard let script = Bundle.module.url(forResource: "quirky_server", withExtension: "py") else {
            throw QuirkyServerError.noScript
        }
        let stderrPath = NSTemporaryDirectory() + "quirky-server-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        guard let errors = FileHandle(forWritingAtPath: stderrPath) else {
            throw QuirkyServerError.notStarted(reason: "cannot open \(stderrPath)", log: "")
        }
        defer { try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.executable(["/usr/bin/python3", "/usr/local/bin/python3"]))
        process.arguments = ["-u", script.path, "--host", host, "--port", "0"]
        let output = Pipe.closingOnExec()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
            let line = try Self.firstLine(of: output.fileHandleForReading.fileDescriptor, timeout: 30)
            guard let port = Int(line.trimmingCharacters(in: .whitespaces)), port > 0 else {
                throw QuirkyServerError.notStarted(reason: "first line was \(line.debugDescription)", log: "")
            }
            self.port = port
        } catch {
            ChildProcess.terminate(process)
            let log = ChildProcess.tail(of: stderrPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
            if case QuirkyServerError.notStarted(let reason, _) = error { throw QuirkyServerError.notStarted(reason: reason, log: log) }
            throw error
        }
        self.host = host
        self.stderrPath = stderrPath
        self.process = process
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// The absolute URL of `path` ("/feed/plain?items=3") on this server.
    public func url(_ path: String) -> String {
        path.hasPrefix("/") ? baseURL + path : baseURL + "/" + path
    }

    /// Every request the server has had, oldest first, except those to `/log` and `/headers`:
    /// the request target (path and query, as sent) and the headers, names lower-cased.
    public func log() throws -> [(path: String, headers: [String: String])] {
        let result = try ChildProcess.run(
            ChildProcess.executable(["/usr/bin/curl", "/usr/local/bin/curl"]), ["-s", "--max-time", "10", url("/log")])
        guard result.status == 0,
            let entries = try JSONSerialization.jsonObject(with: result.output) as? [[String: Any]]
        else { throw QuirkyServerError.badLog(status: result.status) }
        return entries.map { entry in
            (path: entry["path"] as? String ?? "", headers: entry["headers"] as? [String: String] ?? [:])
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 2 s).
    public func stop() {
        lock.lock()
        let process = self.process
        self.process = nil
        lock.unlock()
        if let process { ChildProcess.terminate(process) }
    }

    /// Reads up to the first newline from `fd`, waiting at most `timeout` seconds in all.
    static func firstLine(of fd: Int32, timeout: TimeInterval) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while !bytes.contains(UInt8(ascii: "\n")) {
            let left = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, left)
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else { throw QuirkyServerError.notStarted(reason: "no port within \(Int(timeout)) s", log: "") }
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw QuirkyServerError.notStarted(reason: "exited before printing its port", log: "") }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}

/// Why a `QuirkyServer` could not start or answer.
public enum QuirkyServerError: Error, CustomStringConvertible {
    /// quirky_server.py is missing from the TestSupport resources.
    case noScript
    /// python3 did not print a port; `log` is the end of its stderr.
    case notStarted(reason: String, log: String)
    /// `/log` could not be fetched or was not a JSON list (curl's exit status).
    case badLog(status: Int32)

    public var description: String {
        switch self {
        case .noScript: "quirky_server.py is not in the TestSupport bundle"
        case .notStarted(let reason, let log): "quirky server did not start (\(reason)); stderr:\n\(log)"
        case .badLog(let status): "cannot read the quirky server's /log (curl exit status \(status))"
        }
    }
}
