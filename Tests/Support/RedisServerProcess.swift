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
        self.port = try port ?? Self.freePort()
        if started { try start() }
    }

    deinit { kill() }

    /// Starts (or restarts) the server and waits until it answers PING.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.serverPath)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning", "--protected-mode", "no",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? command(["PING"])) == "PONG" { return }
            usleep(20_000)
        }
        throw HarnessError.notStarted(port)
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
        /// The server did not answer PING on this port within 10 s.
        case notStarted(Int)
        /// No free loopback port could be found.
        case noPort
    }
}
