import Foundation
import Testing

@testable import HubDaemon

/// `hubdiffer run`'s settings come from one table (`DaemonSetting.all`): its flags, the keys
/// of the configuration file and their help.
@Suite("hubdiffer run settings")
struct RunSettingsTests {
    /// The long flags `hubdiffer run --help` lists.
    static func flags() throws -> Set<String> {
        let help = try ParseCommandTests.run(["run", "--help"])
        #expect(help.status == 0)
        let options = help.stdout.components(separatedBy: "OPTIONS:").last ?? ""
        let names = options.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let flag = words.first(where: { $0.hasPrefix("--") }), line.hasPrefix("  -") else { return nil }
            return String(flag.dropFirst(2).prefix { $0 != "," })
        }
        return Set(names)
    }

    @Test("every setting is a flag of hubdiffer run, and every flag of run but --config is a setting")
    func flagsAreTheTable() throws {
        let keys = Set(DaemonSetting.all.map(\.key))
        #expect(keys.count == DaemonSetting.all.count, "a key is listed twice")
        #expect(DaemonConfiguration.keys == DaemonSetting.all.map(\.key))
        let flags = try Self.flags().subtracting(["config", "help", "version"])
        #expect(flags == keys, "flags not in the table: \(flags.subtracting(keys)); settings without a flag: \(keys.subtracting(flags))")
    }

    @Test("each flag's help is its setting's")
    func helpFromTheTable() throws {
        let help = try ParseCommandTests.run(["run", "--help"]).stdout
        let folded = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for setting in DaemonSetting.all {
            #expect(folded.contains(setting.help.split(whereSeparator: \.isWhitespace).joined(separator: " ")), "\(setting.key)")
        }
    }

    @Test("the file first, then the flags: a value replaces the file's, allow-address flags replace its list")
    func fileThenFlags() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString).conf").path
        try "max-interval = 50\nallow-address = 10.0.0.0/8, 192.168.0.0/16\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let overridden = try ParseCommandTests.run(["run", "--config", path, "--min-interval", "100"])
        #expect(overridden.status == 64)
        #expect(overridden.stderr.contains("min-interval (100 s) is above max-interval (50 s)"), "\(overridden.stderr)")
        let number = try ParseCommandTests.run(["run", "--interval", "soon"])
        #expect(number.status == 64 && number.stderr.contains("interval must be a whole number"), "\(number.stderr)")
        let address = try ParseCommandTests.run(["run", "--allow-address", "10.0.0.0/8", "--allow-address", "bogus"])
        #expect(address.status == 64 && address.stderr.contains("allow-address:"), "\(address.stderr)")

        var configuration = try DaemonConfiguration.load(path)
        #expect(configuration.allowedAddresses == ["10.0.0.0/8", "192.168.0.0/16"])
        try configuration.replace("allow-address", with: ["127.0.0.0/8", "::1"])
        #expect(configuration.allowedAddresses == ["127.0.0.0/8", "::1"])
        #expect(throws: DaemonConfiguration.Problem.self) { try configuration.set("no-such-setting", "1") }
    }

    @Test("control-host: repeatable or comma-separated names, checked; the flags replace the file's")
    func controlHosts() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString).conf").path
        try "control-host = hub.example.com, proxy.example:8443\ncontrol-host = other.example\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = try DaemonConfiguration.load(path)
        #expect(configuration.controlHosts == ["hub.example.com", "proxy.example:8443", "other.example"])
        try configuration.replace("control-host", with: ["metrics.example"])
        #expect(configuration.controlHosts == ["metrics.example"])
        let bad = try ParseCommandTests.run(["run", "--control-host", "https://hub.example.com/"])
        #expect(bad.status == 64 && bad.stderr.contains("control-host:"), "\(bad.stderr)")
    }
}
