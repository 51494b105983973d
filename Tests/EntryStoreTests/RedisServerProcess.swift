import Foundation
import Glibc

/// A private `redis-server` for a test: started on a free loopback port with no persistence,
/// stopped (SIGKILL) when the test is done or asks for it.
final class RedisServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only in start()/kill(), which tests call from
    // one task at a time; `port` is immutable.
    let port: Int
    private var process: Process?

    var url: String { "redis://127.0.0.1:\(port)/0" }

    init(port: Int? = nil) throws {
        self.port = try port ?? Self.freePort()
        try start()
    }

    deinit { kill() }

    /// Starts (or restarts) the server and waits until it answers PING.
    func start() throws {
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
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Runs one command with redis-cli and returns its output, trimmed.
    @discardableResult
    func command(_ arguments: [String]) throws -> String {
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: Self.cliPath)
        cli.arguments = ["-h", "127.0.0.1", "-p", String(port)] + arguments
        let output = Pipe()
        cli.standardOutput = output
        cli.standardError = FileHandle.nullDevice
        try cli.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        cli.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var serverPath: String { ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "redis-server" }
    static var cliPath: String { ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "redis-cli" }

    /// A loopback port nothing listens on (bound and released by the kernel's choice).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.noPort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError.noPort }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    enum HarnessError: Error { case notStarted(Int), noPort }
}
