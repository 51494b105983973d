import Foundation
import Glibc

/// `feed_farm.py` for a test: `feeds` feeds that change over `rounds` rounds, with the quirks
/// its docstring lists (no GUIDs, one GUID for all, undated, old dates, reordering, removals,
/// 304 / no-validator / weak-ETag servers, a 301, a 410, 429s), and a log of what it served.
public final class FeedFarm: @unchecked Sendable {
    // @unchecked Sendable: `process` is only replaced in stop(), under `lock`; the rest is immutable.
    public let port: Int
    private let lock = NSLock()
    private var process: Process?

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(feeds: Int, rounds: Int, seed: Int = 1) throws {
        guard let script = Bundle.module.url(forResource: "feed_farm", withExtension: "py") else {
            throw QuirkyServerError.noScript
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.executable(["/usr/bin/python3", "/usr/local/bin/python3"]))
        process.arguments = ["-u", script.path, "--port", "0", "--feeds", String(feeds), "--rounds", String(rounds), "--seed", String(seed)]
        let output = Pipe.closingOnExec()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "listening on 127.0.0.1:PORT"
        let line = try QuirkyServer.firstLine(of: output.fileHandleForReading.fileDescriptor, timeout: 30)
        guard let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) else {
            ChildProcess.terminate(process)
            throw QuirkyServerError.notStarted(reason: "first line was \(line.debugDescription)", log: "")
        }
        self.port = port
        self.process = process
    }

    deinit { stop() }

    /// The URL of feed `index`.
    public func url(_ index: Int) -> String { "\(baseURL)/feed/\(index)" }

    /// Moves to the next round; returns it.
    @discardableResult
    public func advance() throws -> Int {
        let object = try json("/control/advance", post: true)
        return (object as? [String: Any])?["round"] as? Int ?? -1
    }

    /// Feeds not yet polled in `round` (and not gone before it).
    public func awaiting(round: Int) throws -> Int {
        let object = try json("/control/stats?round=\(round)")
        return (object as? [String: Any])?["awaiting"] as? Int ?? -1
    }

    /// Per feed, the links that must have been sent: those of every 200 body served after the
    /// feed's first one, minus the first body's (the backlog).
    public func expected() throws -> [Int: [String]] {
        let object = try json("/control/expected") as? [String: Any]
        let feeds = object?["feeds"] as? [String: [String]] ?? [:]
        return Dictionary(uniqueKeysWithValues: feeds.compactMap { key, links in Int(key).map { ($0, links) } })
    }

    /// Per feed, every link of its first 200 body (the backlog).
    public func served() throws -> [[String: Any]] {
        let result = try ChildProcess.run(Self.curl, ["-s", "--max-time", "30", baseURL + "/control/served"])
        return String(decoding: result.output, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public func stop() {
        lock.lock()
        let process = self.process
        self.process = nil
        lock.unlock()
        if let process { ChildProcess.terminate(process) }
    }

    private func json(_ path: String, post: Bool = false) throws -> Any {
        let result = try ChildProcess.run(Self.curl, ["-s", "--max-time", "30"] + (post ? ["-X", "POST"] : []) + [baseURL + path])
        guard result.status == 0 else { throw QuirkyServerError.badLog(status: result.status) }
        return try JSONSerialization.jsonObject(with: result.output)
    }

    static var curl: String { ChildProcess.executable(["/usr/bin/curl", "/usr/local/bin/curl"]) }
}
