import Foundation
import Glibc

/// A private nginx for a test: a static docroot on a free loopback port, with ETags and gzip for
/// the feed types, everything (config, docroot, logs, pid, temp paths) in one temp directory.
/// Stopped, and its directory removed, by `stop()` or when released. In TLS mode (`tls:`) it
/// serves HTTPS only, and keeps an access log (`accessLog()`).
public final class NginxProcess: @unchecked Sendable {
    // @unchecked Sendable: `port`, `directory`, `tls` and `executable` are immutable; the mutable
    // state (`process`, `lastModified`) is only read or written while holding `lock`.
    /// The loopback port nginx listens on.
    public let port: Int
    /// The temp directory holding everything nginx uses; the docroot is `directory/www`.
    public let directory: String
    /// The TLS mode, or nil for plain HTTP.
    public let tls: NginxTLS?
    private let lock = NSLock()
    private var process: Process?
    private var lastModified = 0

    /// `http://127.0.0.1:PORT` (`https://…` in TLS mode), without a trailing slash.
    public var baseURL: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// `https://127.0.0.1:PORT`, without a trailing slash (only served in TLS mode).
    public var httpsURL: String { "https://127.0.0.1:\(port)" }

    /// The URL of `path` (with or without a leading slash) on `host` (a name or address nginx
    /// is reached at: 127.0.0.1, one of `moreAddresses`, or a name the client resolves to one,
    /// e.g. `localhost` or with curl's `--resolve`), http or https as nginx serves.
    public func url(_ path: String, host: String = "127.0.0.1") -> String {
        "\(tls == nil ? "http" : "https")://\(host):\(port)" + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Starts nginx with `workers` worker processes and `files` (docroot path → contents) in
    /// its docroot, and waits (at most 10 s) until it accepts connections. `moreAddresses`:
    /// loopback addresses it also listens on, on the same port (127.0.0.2, …: more hosts).
    /// `tls`: serve HTTPS with that certificate and those options instead of plain HTTP.
    public init(
        files: [String: [UInt8]] = [:], workers: Int = 1, moreAddresses: [String] = [], tls: NginxTLS? = nil
    ) throws {
        let directory = try Self.makeDirectory()
        do {
            for name in ["www", "staging", "temp"] {
                try FileManager.default.createDirectory(atPath: "\(directory)/\(name)", withIntermediateDirectories: true)
            }
            var modified = 0
            for (path, bytes) in files { try Self.write(bytes, to: path, in: directory, modified: &modified) }
            let (port, process) = try Self.launch(
                in: directory, workers: workers, moreAddresses: moreAddresses, tls: tls)
            self.port = port
            self.tls = tls
            self.process = process
            self.directory = directory
            self.lastModified = modified
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `bytes` to `path` (relative to the docroot; subdirectories are created) atomically,
    /// with an mtime later than any earlier write's, so nginx's ETag (mtime-size) always changes.
    public func write(_ path: String, _ bytes: [UInt8]) throws {
        lock.lock()
        defer { lock.unlock() }
        try Self.write(bytes, to: path, in: directory, modified: &lastModified)
    }

    /// Writes `text` as UTF-8 to `path`; see `write(_:_:)` for bytes.
    public func write(_ path: String, _ text: String) throws {
        try write(path, Array(text.utf8))
    }

    /// The access log's requests so far, oldest first (TLS mode only; empty in plain mode).
    /// nginx writes a line once the response is sent, which may be just after the client has
    /// it: wait with `accessLog(atLeast:timeout:)`.
    public func accessLog() -> [NginxAccessLine] {
        guard let data = FileManager.default.contents(atPath: "\(directory)/access.log") else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .compactMap { NginxAccessLine(line: String($0)) }
    }

    /// The access log once it has at least `count` lines, or as it is after `timeout` seconds.
    /// Blocks: in an async test, run it on a thread of its own (`.ownThread`).
    public func accessLog(atLeast count: Int, timeout: TimeInterval = 10) -> [NginxAccessLine] {
        var lines: [NginxAccessLine] = []
        waitUntil(timeout: .seconds(timeout)) {
            lines = accessLog()
            return lines.count >= count
        }
        return lines
    }

    /// Stops nginx (SIGTERM, then SIGKILL after 2 s). The directory stays until release.
    public func stop() {
        lock.lock()
        let process = self.process
        self.process = nil
        lock.unlock()
        if let process { ChildProcess.terminate(process) }
    }

    // MARK: Starting

    static var executable: String { ChildProcess.executable(["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) }

    private static func makeDirectory() throws -> String {
        var template = Array("\(NSTemporaryDirectory().trimmingSuffix("/"))/nginx-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw NginxError.noDirectory(errno: errno) }
        return String(cString: made)
    }

    /// Starts nginx on a free port; tries another port when the chosen one was taken meanwhile.
    private static func launch(
        in directory: String, workers: Int, moreAddresses: [String], tls: NginxTLS?
    ) throws -> (Int, Process) {
        var lastError: NginxError = .noPort
        for _ in 0..<3 {
            guard let port = Loopback.freePort() else { throw NginxError.noPort }
            let config = NginxConfig.render(
                directory: directory, port: port, workers: workers, asRoot: getuid() == 0, moreAddresses: moreAddresses,
                tls: tls)
            try config.write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
            do {
                return (port, try start(in: directory, port: port))
            } catch let error as NginxError {
                lastError = error
                guard case .notStarted(_, let log) = error, log.contains("Address already in use") else { throw error }
            }
        }
        throw lastError
    }

    private static func start(in directory: String, port: Int) throws -> Process {
        let errorLog = "\(directory)/error.log"
        let outputPath = "\(directory)/output.log"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        guard let output = FileHandle(forWritingAtPath: outputPath) else { throw NginxError.noDirectory(errno: errno) }
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // -e: the startup error log; Debian's compiled-in one is stderr, which we capture too.
        process.arguments = ["-p", "\(directory)/", "-c", "\(directory)/nginx.conf", "-e", errorLog, "-g", "daemon off;"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        if waitUntil(timeout: .seconds(10), { !process.isRunning || Loopback.accepts(port: port) }) {
            guard process.isRunning else {
                process.waitUntilExit()
                throw NginxError.notStarted(reason: "exited with status \(process.terminationStatus)", log: log(in: directory))
            }
            return process
        }
        ChildProcess.terminate(process)
        throw NginxError.notStarted(reason: "no connection on port \(port) within 10 s", log: log(in: directory))
    }

    private static func log(in directory: String) -> String {
        [ChildProcess.tail(of: "\(directory)/error.log"), ChildProcess.tail(of: "\(directory)/output.log")]
            .filter { !$0.isEmpty }.joined(separator: "\n")
    }

    // MARK: Writing

    private static func write(_ bytes: [UInt8], to path: String, in directory: String, modified: inout Int) throws {
        let components = path.split(separator: "/")
        guard !components.isEmpty, !components.contains("..") else { throw NginxError.badPath(path) }
        let target = "\(directory)/www/" + components.joined(separator: "/")
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let staging = "\(directory)/staging/\(UUID().uuidString)"
        let fd = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw NginxError.writeFailed(path, errno: errno) }
        var closed = false
        defer { if !closed { close(fd); unlink(staging) } }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw NginxError.writeFailed(path, errno: errno) }
            written += count
        }
        // Strictly increasing whole seconds: nginx's ETag is hex(mtime)-hex(size).
        modified = max(Int(time(nil)), modified + 1)
        let stamp = timespec(tv_sec: modified, tv_nsec: 0)
        let times = [stamp, stamp]
        guard futimens(fd, times) == 0 else { throw NginxError.writeFailed(path, errno: errno) }
        close(fd)
        closed = true
        guard rename(staging, target) == 0 else {
            let failure = errno
            unlink(staging)
            throw NginxError.writeFailed(path, errno: failure)
        }
    }
}

/// One request in an `NginxProcess`'s access log (TLS mode).
public struct NginxAccessLine: Sendable, Hashable {
    /// nginx's connection serial number (`$connection`): equal for requests on one connection.
    public var connection: Int
    /// The request's number on its connection, from 1 (`$connection_requests`).
    public var connectionRequests: Int
    /// Whether the connection's TLS session was resumed (`$ssl_session_reused` = `r`).
    public var sessionReused: Bool
    /// `$ssl_protocol`: `TLSv1.3`, `TLSv1.2`, …; nil without TLS.
    public var tlsProtocol: String?
    /// `$server_protocol`: `HTTP/1.1`, `HTTP/2.0`, ….
    public var `protocol`: String
    /// The response's status.
    public var status: Int
    /// `$request_uri`: the path and query as sent.
    public var uri: String

    /// Parses a line written with `NginxConfig.accessLogFormat`; nil for anything else.
    public init?(line: String) {
        let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, let connection = Int(fields[0]), let requests = Int(fields[1]),
            let status = Int(fields[5])
        else { return nil }
        self.connection = connection
        connectionRequests = requests
        sessionReused = fields[2] == "r"
        tlsProtocol = fields[3] == "-" ? nil : fields[3]
        self.protocol = fields[4]
        self.status = status
        uri = fields[6]
    }
}

/// Why an `NginxProcess` could not start or write.
public enum NginxError: Error, CustomStringConvertible {
    /// nginx exited or did not accept connections; `log` is the end of its error log.
    case notStarted(reason: String, log: String)
    /// No free loopback port could be found.
    case noPort
    /// The temp directory could not be made.
    case noDirectory(errno: Int32)
    /// A docroot path that is empty or leaves the docroot.
    case badPath(String)
    /// Writing a docroot file failed.
    case writeFailed(String, errno: Int32)

    public var description: String {
        switch self {
        case .notStarted(let reason, let log): "nginx did not start (\(reason)); error log:\n\(log)"
        case .noPort: "no free loopback port for nginx"
        case .noDirectory(let code): "cannot make nginx's temp directory: \(String(cString: strerror(code)))"
        case .badPath(let path): "not a docroot path: \(path)"
        case .writeFailed(let path, let code): "cannot write \(path) in the docroot: \(String(cString: strerror(code)))"
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
