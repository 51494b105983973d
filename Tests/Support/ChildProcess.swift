import Foundation
import Glibc

/// Helpers for the child processes the harnesses start.
public enum ChildProcess {
    /// The environment for a child whose own memory use a test measures (a daemon): this
    /// process's, without the malloc tunables scripts/test.sh gives the test process (one arena
    /// and a top pad, against a Foundation crash in `Process.run`; see docs/DESIGN-NOTES.md),
    /// which would change how the child's allocator behaves.
    public static var environmentWithoutTestTunables: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "GLIBC_TUNABLES" }
    }

    /// Stops `process`: SIGTERM, then SIGKILL to its process group if it has not exited
    /// within `grace` seconds. Returns once it has exited.
    static func terminate(_ process: Process, grace: TimeInterval = 2) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        Glibc.kill(pid, SIGTERM)
        if !waitUntil(timeout: .seconds(grace), { !process.isRunning }) {
            // The child leads its own process group when Foundation made it so; killing the
            // group also takes any workers it forked. Fall back to the child alone.
            if getpgid(pid) == pid { Glibc.kill(-pid, SIGKILL) } else { Glibc.kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// The last `count` lines of the text file at `path`, or "" when it cannot be read.
    static func tail(of path: String, lines count: Int = 20) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).joined(separator: "\n")
    }

    /// The first executable among `candidates`, or the last one (for a PATH lookup error).
    public static func executable(_ candidates: [String]) -> String {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last ?? ""
    }

    /// Runs `executable` with `arguments` and returns its exit status and standard output.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe.closingOnExec()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    /// Runs `executable` with `arguments` like `run(_:_:)` (standard input empty), and also
    /// returns its standard error (gathered in a temp file, so neither stream can fill a pipe and
    /// stall the child). `environment`: variables added to this process's; `directory`: where
    /// it runs (nil: here).
    public static func runCapturingErrors(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil
    ) throws -> (status: Int32, output: Data, errors: Data) {
        let errorPath = "\(NSTemporaryDirectory())/child-stderr-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
            let errorFile = FileHandle(forWritingAtPath: errorPath)
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorPath]) }
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe.closingOnExec()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errorFile
        do {
            try process.run()
        } catch {
            try? errorFile.close()
            throw error
        }
        try? errorFile.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = FileManager.default.contents(atPath: errorPath) ?? Data()
        return (process.terminationStatus, data, errors)
    }
}
