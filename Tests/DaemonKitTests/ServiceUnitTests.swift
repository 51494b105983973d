import Synchronization
import DaemonKit
import Foundation
import Glibc
import TestSupport
import Testing

/// deploy/hubdiffer.service: systemd accepts it, it says what the daemon relies on, and its
/// hardening does not stop a Swift binary.
@Suite("deploy/hubdiffer.service", .ownThread)
struct ServiceUnitTests {
    static let unitPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/hubdiffer.service").path
    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// `systemd-analyze verify` checks that ExecStart's binary exists, and hubdiffer is not
    /// installed here: the copy it checks differs from the unit only in that path, which
    /// points at a stand-in executable of the same name.
    @Test(.enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed"))
    func systemdAnalyzeVerifyAcceptsTheUnit() async throws {
        let unit = try StandInUnit(text: String(contentsOfFile: Self.unitPath, encoding: .utf8))
        let result = try await run(Self.systemdAnalyze!, ["verify", unit.path])
        #expect(result.status == 0, "\(result.errors)")
        let complaints = result.errors.split(separator: "\n").filter { $0.contains("hubdiffer") }
        #expect(complaints.isEmpty, "\(complaints)")
    }

    /// The check above would notice a mistake: a misspelt setting is reported.
    @Test(.enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed"))
    func systemdAnalyzeVerifyReportsAMisspeltSetting() async throws {
        let text = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
            .replacingOccurrences(of: "WatchdogSec=", with: "WatchdogSecs=")
        let unit = try StandInUnit(text: text)
        let result = try await run(Self.systemdAnalyze!, ["verify", unit.path])
        #expect(result.errors.contains("WatchdogSecs"))
    }

    @Test(.enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed"))
    func securityExposureStaysLow() async throws {
        let unit = try StandInUnit(text: String(contentsOfFile: Self.unitPath, encoding: .utf8))
        let result = try await run(Self.systemdAnalyze!, ["security", "--offline=yes", "--threshold=20", unit.path])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        // 0 is fully locked down, 10 unprotected; 1.5 when written ("OK").
        #expect(score <= 2.0, "\(line)")
    }

    @Test func theUnitSaysWhatTheDaemonReliesOn() throws {
        let settings = try Self.settings()
        let expected: [String: String] = [
            "Type": "notify", "NotifyAccess": "main",
            "ExecStart": "/usr/local/bin/hubdiffer run --config /etc/hubdiffer/hubdiffer.conf",
            "ExecReload": "/bin/kill -HUP $MAINPID", "Restart": "on-failure", "WatchdogSec": "30s",
            "TimeoutStopSec": "15s", "KillSignal": "SIGTERM", "User": "hubdiffer", "DynamicUser": "yes",
            "RuntimeDirectory": "hubdiffer", "StateDirectory": "hubdiffer", "ConfigurationDirectory": "hubdiffer",
            "ProtectSystem": "strict", "ProtectHome": "yes", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
            "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
            "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces": "yes",
            "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "SystemCallFilter": "@system-service",
            "SystemCallArchitectures": "native", "CapabilityBoundingSet": "", "LimitNOFILE": "65536",
        ]
        for (key, value) in expected {
            #expect(settings[key] == [value], "\(key)")
        }
    }

    /// MemoryDenyWriteExecute= forbids memory both writable and executable. The kernel's
    /// PR_SET_MDWE (Linux 6.3+, kept across execve) enforces nearly the same rule: hubdiffer
    /// fetches, parses and prints a feed under it (libcurl, libxml2, hiredis, Foundation,
    /// Dispatch, the Swift runtime).
    @Test(.enabled(if: hubdifferBinary != nil && kernelHasMDWE(), "needs the hubdiffer binary beside the tests and Linux 6.3+"))
    func hubdifferRunsWithWriteExecuteMemoryDenied() async throws {
        let directory = try TemporaryDirectory.make(prefix: "mdwe")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wrapper = "\(directory)/mdwe.py"
        try """
            import ctypes, os, sys
            if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, REFUSE_EXEC_GAIN
                sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
            os.execv(sys.argv[1], sys.argv[1:])
            """.write(toFile: wrapper, atomically: true, encoding: .utf8)

        // The wrapper works: under it, a writable and executable mapping is refused.
        let probe = try await run(
            "/usr/bin/python3", [wrapper, "/usr/bin/python3", "-c", "import mmap; mmap.mmap(-1, 4096, prot=7)"])
        #expect(probe.status != 0)
        #expect(probe.errors.contains("PermissionError"))

        var routes = ControlRoutes()
        routes.add(.get, "/feed.xml") { _ in
            ControlResponse(contentType: "application/rss+xml", body: Array(FeedFixtures.rss(items: 1...2).utf8))
        }
        let server = ControlServer(port: 0, routes: routes, logger: quietLogger)
        try server.start()
        defer { server.stop() }
        let shards = "\(directory)/shards.conf"
        // No Redis listens there: the store fails open and prints every entry.
        try "0-9223372036854775807 redis://127.0.0.1:\(try RedisServerProcess.freePort())/0\n"
            .write(toFile: shards, atomically: true, encoding: .utf8)
        let fetch = try await run(
            "/usr/bin/python3",
            [wrapper, hubdifferBinary!, "fetch", "7", "http://127.0.0.1:\(try #require(server.boundPort))/feed.xml",
             "--allow-private-addresses", "--shards", shards, "--dry-run"])
        #expect(fetch.status == 0, "\(fetch.errors)")
        #expect(fetch.output.contains(#""id":"item-2""#))
    }

    // MARK: - Helpers

    /// `key → values` of the unit, comments and section headers left out.
    static func settings() throws -> [String: [String]] {
        var settings: [String: [String]] = [:]
        for line in try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n") {
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }
}

/// A copy of the unit in a temp directory whose ExecStart runs `DIR/hubdiffer`, a stand-in
/// shell script; removed when released.
private final class StandInUnit {
    let directory: String
    var path: String { "\(directory)/hubdiffer.service" }

    init(text: String) throws {
        directory = try TemporaryDirectory.make(prefix: "unit")
        let standIn = "\(directory)/hubdiffer"
        try "#!/bin/sh\nexit 0\n".write(toFile: standIn, atomically: true, encoding: .utf8)
        chmod(standIn, 0o755)
        let rewritten = text.replacingOccurrences(of: "ExecStart=/usr/local/bin/hubdiffer ", with: "ExecStart=\(standIn) ")
        guard rewritten != text else { throw TestClientError.badResponse("no ExecStart=/usr/local/bin/hubdiffer in the unit") }
        try rewritten.write(toFile: path, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// The hubdiffer executable SwiftPM built beside this test bundle, if any.
private let hubdifferBinary: String? = {
    guard let bundle = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    let candidate = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("hubdiffer").path
    return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
}()

/// Whether the kernel is 6.3 or later (PR_SET_MDWE).
private func kernelHasMDWE() -> Bool {
    var name = utsname()
    uname(&name)
    let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
    guard parts.count == 2 else { return false }
    return parts[0] > 6 || (parts[0] == 6 && parts[1] >= 3)
}

/// Runs `executable` on a thread of its own; its exit status, standard output and standard error.
private func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
    try await onThread {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe.closingOnExec()
        let errors = Pipe.closingOnExec()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Standard error is read on a second thread so that neither pipe fills up.
        let errorText = ErrorText()
        let reader = Thread { errorText.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), errorText.waitForText())
    }
}

/// Standard error of a child, handed from its reader thread.
private final class ErrorText: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let data = Mutex<Data>(Data())

    func set(_ value: Data) {
        data.withLock { $0 = value }
        semaphore.signal()
    }

    func waitForText() -> String {
        semaphore.wait()
        return String(decoding: data.withLock { $0 }, as: UTF8.self)
    }
}
