import Foundation
import Glibc

/// A private `redis-server` for a test: started on a free loopback port with no persistence,
/// stopped (SIGKILL) when the test is done or asks for it.
public final class RedisServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only in start()/kill(), which tests call from
    // one task at a time; `port` is immutable.
    /// The loopback port the server listens on (kept across restarts).
    public let port: Int
    private var process: Process?

    /// The server's URL, database 0.
    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts a server on `port`, or on a free port when nil, and waits until it answers PING;
    /// with `started` false, only picks the port (``start()`` starts it later).
    public init(port: Int? = nil, started: Bool = true) throws {
        guard port == nil, started else {
            self.port = try port ?? Self.freePort()
            if started { try start() }
            return
        }
        // A free port may be taken by another test's server before redis-server binds it (the
        // tests run in parallel): then it exits, and another port is tried.
        var attempt = 0
        while true {
            let candidate = try Self.freePort()
            attempt += 1
            do {
                process = try Self.launch(port: candidate)
                self.port = candidate
                return
            } catch HarnessError.notStarted where attempt < 3 {
                continue
            }
        }
    }

    deinit { kill() }

    /// Starts (or restarts) the server and waits until it answers; throws when it cannot (its
    /// port was taken meanwhile by another test's server, say).
    public func start() throws {
        process = try Self.launch(port: port)
    }

    /// Starts redis-server on `port`; returns once that very server (its process id) answers.
    private static func launch(port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.serverPath)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning", "--protected-mode", "no",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let answering = "process_id:\(process.processIdentifier)"
        let up = waitUntil(timeout: .seconds(10), every: .milliseconds(20)) {
            guard process.isRunning else { return true }
            let info = (try? command(["INFO", "server"], port: port)) ?? ""
            return info.split(whereSeparator: \.isNewline).contains { $0.trimmingCharacters(in: .whitespaces) == answering }
        }
        guard up, process.isRunning else {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw HarnessError.notStarted(port)
        }
        return process
    }

    /// Stops the server at once (SIGKILL), as a crash would.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Sends `signal` to the server (SIGSTOP hangs it with its data, SIGCONT resumes it).
    public func signal(_ signal: Int32) {
        if let process, process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    /// Runs one command with redis-cli and returns its output, trimmed.
    @discardableResult
    public func command(_ arguments: [String]) throws -> String {
        try Self.command(arguments, port: port)
    }

    private static func command(_ arguments: [String], port: Int) throws -> String {
        let result = try ChildProcess.run(Self.cliPath, ["-h", "127.0.0.1", "-p", String(port)] + arguments)
        return String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var serverPath: String { ChildProcess.executable(["/usr/bin/redis-server", "/usr/local/bin/redis-server"]) }
    static var cliPath: String { ChildProcess.executable(["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"]) }

    /// A loopback port nothing listens on (bound and released by the kernel's choice).
    public static func freePort() throws -> Int {
        guard let port = Loopback.freePort() else { throw HarnessError.noPort }
        return port
    }

    /// Why a server could not be provided.
    public enum HarnessError: Error {
        /// The server did not answer on this port within 10 s, or exited (the port was taken).
        case notStarted(Int)
        /// No free loopback port could be found.
        case noPort
    }
}
