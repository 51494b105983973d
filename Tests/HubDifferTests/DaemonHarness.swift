import Foundation
import Glibc
import TestSupport

/// `hubdiffer run` as a child process: standard output and error go to files the test reads.
/// Its calls block (curl, the child's exit): use it from tests on a thread of their own
/// (`.ownThread`).
final class DaemonHarness {
    let directory: String
    let controlPort: Int
    private(set) var process: Process?
    var stdoutPath: String { directory + "/entries.jsonl" }
    var stderrPath: String { directory + "/daemon.log" }
    var feedsPath: String { directory + "/feeds.txt" }
    var shardsPath: String { directory + "/shards.conf" }

    /// A directory with the feeds file and the shard map; the daemon is not started yet.
    init(feeds: [(Int, String)], shards: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hubdiffer-run-\(UUID().uuidString)").path
        controlPort = try RedisServerProcess.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try feeds.map { "\($0.0) \($0.1)\n" }.joined().write(toFile: feedsPath, atomically: true, encoding: .utf8)
        try shards.write(toFile: shardsPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the daemon (appending to the same output files as any earlier run); returns once
    /// its control endpoint answers.
    func start(_ extra: [String] = []) async throws {
        let process = Process()
        process.executableURL = ParseCommandTests.executable
        process.arguments =
            [
                "run", "--feeds", feedsPath, "--shards", shardsPath, "--sink", "stdout", "--control", "127.0.0.1:\(controlPort)",
                "--allow-private-addresses", "--pid-file", directory + "/hubdiffer.pid", "--state-dir", directory + "/state",
            ] + extra
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        try out.seekToEnd()
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try err.seekToEnd()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        process.environment = ChildProcess.environmentWithoutTestTunables
        try process.run()
        self.process = process
        let answered = await waitUntil(timeout: .seconds(30), every: .milliseconds(50)) {
            !process.isRunning || (try? get("/health"))?.contains("\"status\"") == true
        }
        guard answered, process.isRunning else {
            throw QuirkyServerError.notStarted(reason: "hubdiffer run did not answer /health", log: log())
        }
    }

    /// `GET path` on the control endpoint.
    func get(_ path: String) throws -> String {
        let result = try ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "10", "http://127.0.0.1:\(controlPort)\(path)"])
        return String(decoding: result.output, as: UTF8.self)
    }

    /// `method path` on the control endpoint with a form body and more header fields: the
    /// status and the body.
    func request(_ method: String, _ path: String, form: String? = nil, headers: [String] = []) throws -> (status: Int, body: String) {
        var arguments = ["-s", "--max-time", "10", "-X", method, "-w", "\n%{http_code}"]
        if let form { arguments += ["--data", form] }
        for header in headers { arguments += ["-H", header] }
        let result = try ChildProcess.run("/usr/bin/curl", arguments + ["http://127.0.0.1:\(controlPort)\(path)"])
        let text = String(decoding: result.output, as: UTF8.self)
        let split = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(split.last ?? "") ?? 0, split.dropLast().joined(separator: "\n"))
    }

    /// `GET /feeds/ID` as a JSON object; nil when the daemon does not know the feed.
    func feedStatus(_ id: Int) throws -> [String: Any]? {
        let (status, body) = try request("GET", "/feeds/\(id)")
        guard status == 200 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    }

    /// `POST /ping` with a `feed=` field per feed.
    @discardableResult
    func ping(_ feeds: some Sequence<Int>) throws -> String {
        let body = feeds.map { "feed=\($0)" }.joined(separator: "&")
        let result = try ChildProcess.run(
            "/usr/bin/curl", ["-s", "--max-time", "10", "--data", body, "http://127.0.0.1:\(controlPort)/ping"])
        return String(decoding: result.output, as: UTF8.self)
    }

    /// Sends `signal`; returns the exit status and how long the exit took (nil: not within `timeout`).
    func stop(_ signal: Int32, timeout: TimeInterval = 20) async -> (status: Int32, seconds: Double)? {
        guard let process else { return nil }
        let start = Date()
        kill(process.processIdentifier, signal)
        guard await waitUntil(timeout: .seconds(timeout), every: .milliseconds(10), { !process.isRunning }) else { return nil }
        let seconds = Date().timeIntervalSince(start)
        process.waitUntilExit()
        self.process = nil
        return (process.terminationStatus, seconds)
    }

    func signal(_ number: Int32) {
        if let process { kill(process.processIdentifier, number) }
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// Every entry the daemon printed, as (feed, link).
    func entries() -> [(feed: Int, link: String)] {
        let text = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let feed = object["feed"] as? Int, let link = object["link"] as? String
            else { return nil }
            return (feed, link)
        }
    }

    /// The value of the first sample of `/metrics` named `name` whose labels hold every one
    /// of `labels` (`kind="closed"`…); nil: none.
    func metric(_ name: String, _ labels: String...) throws -> Double? {
        try get("/metrics").split(separator: "\n").first { line in
            (line.hasPrefix(name + "{") || line.hasPrefix(name + " ")) && labels.allSatisfy { line.contains($0) }
        }
        .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    /// The upper bound of the histogram bucket of `/metrics` that holds the `quantile` of
    /// `name` (`hubdiffer_scheduler_lag_seconds`), and the count of samples; nil: no samples.
    func histogramQuantile(_ name: String, _ quantile: Double) throws -> (bound: Double, count: Double)? {
        let buckets: [(Double, Double)] = try get("/metrics").split(separator: "\n").compactMap { line in
            guard line.hasPrefix(name + "_bucket{"), let le = line.range(of: "le=\""),
                let close = line[le.upperBound...].firstIndex(of: "\""),
                let count = line.split(separator: " ").last.flatMap({ Double($0) })
            else { return nil }
            let bound = line[le.upperBound..<close] == "+Inf" ? Double.infinity : Double(line[le.upperBound..<close]) ?? .infinity
            return (bound, count)
        }.sorted { $0.0 < $1.0 }
        guard let total = buckets.last?.1, total > 0 else { return nil }
        return buckets.first { $0.1 >= quantile * total }.map { ($0.0, total) }
    }

    /// Resident memory of the daemon now and at its peak (`VmRSS`, `VmHWM`), in bytes.
    func memory() -> (resident: Int, peak: Int)? {
        guard let process, let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else { return nil }
        func kilobytes(_ key: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
        }
        guard let resident = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        return (resident << 10, peak << 10)
    }

    func log() -> String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}
