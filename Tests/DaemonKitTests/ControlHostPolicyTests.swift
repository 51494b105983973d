import Logging
import TestSupport
import Testing

@testable import DaemonKit

@Suite("Control endpoint: allowed hosts, rate-limited warnings, connection cap")
struct ControlHostPolicyTests {
    @Test func authoritiesAreReadLowerCasedWithTheirPort() {
        typealias Allowed = ControlHostPolicy.Allowed
        #expect(ControlHostPolicy.authority("Hub.Example.COM") == Allowed(host: "hub.example.com", port: nil))
        #expect(ControlHostPolicy.authority("hub.example.com:8443") == Allowed(host: "hub.example.com", port: 8443))
        #expect(ControlHostPolicy.authority("[::1]:8425") == Allowed(host: "[::1]", port: 8425))
        #expect(ControlHostPolicy.authority("[::1]") == Allowed(host: "[::1]", port: nil))
        for bad in ["", ":80", "a:", "a:b", "a:99999", "::1", "http://a", "a/b", "a b", "[::1", "[]:80", "a@b"] {
            #expect(ControlHostPolicy.authority(bad[...]) == nil, "\(bad)")
        }
        #expect(ControlHostPolicy.originAuthority("https://a.example") == Allowed(host: "a.example", port: 443))
        #expect(ControlHostPolicy.originAuthority("http://a.example") == Allowed(host: "a.example", port: 80))
        #expect(ControlHostPolicy.originAuthority("null") == nil)
        #expect(ControlServer.hostNameProblem("hub.example.com") == nil)
        #expect(ControlServer.hostNameProblem("https://hub.example.com")?.contains("no scheme") == true)
    }

    @Test func theBoundAddressIsAllowedAsWritten() {
        let v6 = ControlHostPolicy(boundHost: "::1", boundPort: 8425, isLoopback: true, names: [])
        #expect(v6.allowed.contains(.init(host: "[::1]", port: 8425)))
        let any = ControlHostPolicy(boundHost: "0.0.0.0", boundPort: 8425, isLoopback: false, names: ["hub.example.com"])
        #expect(!any.allowed.contains { $0.host == "localhost" })
        #expect(any.allowed.contains(.init(host: "hub.example.com", port: nil)))
    }

    @Test func aBadNameStopsTheServerFromStarting() {
        let server = ControlServer(port: 0, allowedHostNames: ["http://x/"], routes: ControlRoutes(), logger: quietLogger)
        #expect(throws: ControlServerError.invalidHostName("http://x/")) { try server.start() }
    }

    @Test func warningsAreLoggedOnceThenOncePerIntervalWithTheCount() {
        let record = LogRecord()
        let warnings = ControlWarnings(logger: record.logger(), interval: .seconds(60))
        let start = ContinuousClock.now
        warnings.warn(.host, "first", at: start)
        for second in 1...3 { warnings.warn(.host, "again", at: start + .seconds(second)) }
        warnings.warn(.slowRequest, "other kind", at: start + .seconds(1))
        #expect(record.messages(at: .warning) == ["control endpoint: first", "control endpoint: other kind"])
        warnings.warn(.host, "later", at: start + .seconds(61))
        warnings.warn(.host, "quiet again", at: start + .seconds(62))
        #expect(record.messages(at: .warning).last == "control endpoint: later (3 more like it not logged since the previous line)")
        #expect(record.messages(at: .warning).count == 3)
    }

    @Test func theConnectionCapStaysWithinTheDescriptorLimit() {
        let limits = ControlServerLimits()
        #expect(limits.maxConnections == 1024)
        #expect(limits.connectionCap(descriptorLimit: 65_536) == 1024)
        #expect(limits.connectionCap(descriptorLimit: 1024) == 256)
        #expect(limits.connectionCap(descriptorLimit: 2) == 1)
    }
}
