import Foundation
import Fetcher
import Testing

@testable import HubDaemon

/// The settings that bound the daemon's load: sizes, timeouts, connections per host.
@Suite("Daemon configuration")
struct DaemonConfigurationTests {
    @Test("sizes read as bytes with K, M or G (binary), B or iB allowed; nonsense refused")
    func byteCounts() {
        #expect(DaemonConfiguration.byteCount("65536") == 65_536)
        #expect(DaemonConfiguration.byteCount("512M") == 512 << 20)
        #expect(DaemonConfiguration.byteCount("2g") == 2 << 30)
        #expect(DaemonConfiguration.byteCount("64KiB") == 64 << 10)
        #expect(DaemonConfiguration.byteCount(" 1MB ") == 1 << 20)
        for bad in ["", "M", "-1M", "1.5G", "12T", "99999999999999999999G", "9223372036854775807G"] {
            #expect(DaemonConfiguration.byteCount(bad) == nil, "\(bad)")
        }
    }

    @Test("body-budget, fetch-timeout, connections-per-host and idle-connections from a file; the budget's default is sized to the machine")
    func loadSettings() throws {
        var configuration = DaemonConfiguration()
        #expect(configuration.bodyBudget == nil)
        let memory = Int(ProcessInfo.processInfo.physicalMemory)
        #expect(DaemonConfiguration.defaultBodyBudget == min(max(memory / 16, 64 << 20), 2 << 30))
        try configuration.set("body-budget", "256M")
        try configuration.set("fetch-timeout", "12")
        try configuration.set("connections-per-host", "3")
        #expect(configuration.idleConnections == FetcherOptions().idleConnections)
        try configuration.set("idle-connections", "0")
        #expect(configuration.idleConnections == 0)
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("idle-connections", "-1") }
        #expect(configuration.bodyBudget == 256 << 20 && configuration.fetchTimeout == 12 && configuration.connectionsPerHost == 3)
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("body-budget", "512K") }
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("fetch-timeout", "0") }
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("connections-per-host", "many") }
    }

    @Test("ca-file and http2 from a file: a CA file that cannot be used is refused; http2 takes on and off")
    func httpsSettings() throws {
        var configuration = DaemonConfiguration()
        #expect(configuration.caFile == nil && configuration.http2)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem").path
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try configuration.set("ca-file", path)
        try configuration.set("http2", "off")
        #expect(configuration.caFile == path && !configuration.http2)
        try configuration.set("http2", "on")
        #expect(configuration.http2)
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("ca-file", "/nonexistent.pem") }
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("http2", "maybe") }
    }

    @Test("a host gets four polls per connection, never more than an eighth of the places; it waits at most half the fetch timeout")
    func laneSettings() {
        let fetcher = FetcherOptions(totalTimeout: .seconds(30), connectionsPerHost: 6)
        #expect(PollDispatcher.laneSettings(fetcher: fetcher, concurrency: 256).perHost == 24)
        #expect(PollDispatcher.laneSettings(fetcher: fetcher, concurrency: 64).perHost == 8)
        #expect(PollDispatcher.laneSettings(fetcher: fetcher, concurrency: 4).perHost == 1)
        #expect(PollDispatcher.laneSettings(fetcher: fetcher, concurrency: 256).maximumWait == .seconds(15))
    }
}
