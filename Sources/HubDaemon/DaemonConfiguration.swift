import Fetcher
import Foundation
import ShardRouter

/// What `hubdiffer run` does: the configuration file (`--config`), then the flags over it.
public struct DaemonConfiguration: Sendable, Equatable {
    /// Every setting at its default.
    public init() {}

    /// What the first poll of a feed does with the entries it finds.
    public enum FirstPoll: String, Sendable, CaseIterable {
        /// Record them as seen without sending (the backlog is not news).
        case record
        /// Send them.
        case emit
    }

    public var feedsFile = "feeds.txt"
    public var shardsFile = "shards.conf"
    public var sink = "stdout"
    /// The control endpoint's address when none is configured: where `hubdiffer run` listens
    /// and where the `hubdiffer feeds` commands look for it.
    public static let defaultControl = "127.0.0.1:8425"
    /// `HOST:PORT` of the control endpoint; nil: none.
    public var control: String? = Self.defaultControl
    /// Names a request to the control endpoint may give in `Host` besides its address
    /// (`control-host`, repeatable or comma-separated): a reverse proxy's public name.
    public var controlHosts: [String] = []
    /// A file holding the token `PUT`/`DELETE /feeds/{id}` need (`control-token-file`); nil:
    /// the environment's `HUBDIFFER_CONTROL_TOKEN`, if any.
    public var controlTokenFile: String?
    /// This daemon's name in its registrations (`name`); nil: `HOST:PID`.
    public var name: String?
    /// The feed IDs this daemon polls (`feed-ids`); nil: all.
    public var feedIDs: FeedIDRanges?
    /// Seconds between two refreshes of the registration (`registration-interval`); it
    /// expires after three.
    public var registrationInterval = 5
    /// Seconds between two checks of the shard map file for a change (`map-check-interval`;
    /// 0: only at SIGHUP).
    public var mapCheckInterval = 2
    public var interval = 900
    public var minimumInterval = 60
    public var maximumInterval = 86_400
    /// Seconds between two ping-triggered polls of one feed at least (pings within are merged
    /// into one poll at the end); 0: pings are not coalesced over time.
    public var pingInterval = 10
    public var firstPoll = FirstPoll.record
    public var allowPrivateAddresses = false
    /// Addresses and CIDR ranges always allowed (`allow-address`, repeatable or comma-separated).
    public var allowedAddresses: [String] = []
    /// Polls in flight at once.
    public var concurrency = 256
    public var pidFile: String?
    public var contactURL: String?
    /// Seconds that in-flight polls get to finish after SIGTERM.
    public var stopGrace = 3
    /// Seconds of parsing one document may take before it is abandoned (`parse_timeout`).
    public var parseBudget = 5
    /// Seconds the sink may refuse every batch before the daemon exits (74) to be restarted.
    public var sinkGrace = 30
    /// Where the daemon keeps its own durable state (the first-poll journal); nil: the default,
    /// ``defaultStateDirectory``.
    public var stateDirectory: String?
    /// Entry keys held in memory at most while shards cannot store them (see ``UnconfirmedEntries``).
    public var unconfirmedLimit = 2_000_000
    /// Seconds one fetch may take, waiting for its host included.
    public var fetchTimeout = Int(FetcherOptions().totalTimeout.components.seconds)
    /// Connections to one host at once (four polls per connection are in flight).
    public var connectionsPerHost = FetcherOptions().connectionsPerHost
    /// Idle connections kept open for reuse.
    public var idleConnections = FetcherOptions().idleConnections
    /// Bytes of response bodies held at once (see ``BodyBudget``); nil: ``defaultBodyBudget``.
    public var bodyBudget: Int?
    /// The CA certificates HTTPS servers must chain to; nil: the system bundle.
    public var caFile: String?
    /// HTTP/2 with HTTPS servers that offer it.
    public var http2 = FetcherOptions().http2

    /// A sixteenth of the machine's memory, from 64 MiB to 2 GiB (1.5 GiB on 24 GiB), and never
    /// under one body at the size cap.
    public static var defaultBodyBudget: Int {
        let sixteenth = Int(clamping: ProcessInfo.processInfo.physicalMemory / 16)
        return max(FetcherOptions().maximumBodySize, min(max(sixteenth, 64 << 20), 2 << 30))
    }

    /// `512M`, `1G`, `65536`: a byte count with an optional binary K, M or G (and B or iB).
    public static func byteCount(_ text: String) -> Int? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces).uppercased())
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) {
            digits = digits.dropLast(suffix.count)
            break
        }
        let shift = ["K": 10, "M": 20, "G": 30][digits.last.map(String.init) ?? ""]
        if shift != nil { digits = digits.dropLast() }
        guard let number = Int(digits), number >= 0 else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: 1 << (shift ?? 0))
        return overflow ? nil : value
    }

    /// `$STATE_DIRECTORY` (systemd's StateDirectory=), else `$XDG_STATE_HOME/hubdiffer`, else
    /// `~/.local/state/hubdiffer`.
    public static var defaultStateDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment["STATE_DIRECTORY"], !directory.isEmpty {
            // systemd passes a colon-separated list when several are configured.
            return String(directory.split(separator: ":").first ?? Substring(directory))
        }
        if let base = environment["XDG_STATE_HOME"], !base.isEmpty { return base + "/hubdiffer" }
        return NSHomeDirectory() + "/.local/state/hubdiffer"
    }

    /// The keys of the configuration file, which are the long flag names: those of
    /// ``DaemonSetting/all``.
    public static var keys: [String] { DaemonSetting.all.map(\.key) }

    /// Why a configuration cannot be used.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `key = value` lines (`#` comments) from `path` over the defaults.
    public static func load(_ path: String) throws(Problem) -> DaemonConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "\(path): cannot be read: check --config FILE (deploy/hubdiffer.conf.example shows the format)")
        }
        var configuration = DaemonConfiguration()
        var lineNumber = 0
        for rawLine in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw Problem(description: "\(path):\(lineNumber): expected `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            do {
                try configuration.set(key, value)
            } catch {
                throw Problem(description: "\(path):\(lineNumber): \(error)")
            }
        }
        return configuration
    }

    /// Sets one setting by its key (a long flag name); a list setting (`allow-address`) gets
    /// the value added.
    public mutating func set(_ key: String, _ value: String) throws(Problem) {
        try setting(key).apply(value, to: &self)
    }

    /// Sets a list setting to `values` (the flags replace the file's list).
    public mutating func replace(_ key: String, with values: [String]) throws(Problem) {
        let setting = try setting(key)
        setting.clear(&self)
        for value in values { try setting.apply(value, to: &self) }
    }

    private func setting(_ key: String) throws(Problem) -> DaemonSetting {
        guard let setting = DaemonSetting.named(key) else {
            throw Problem(description: "unknown setting `\(key)`: the settings are \(Self.keys.joined(separator: ", "))")
        }
        return setting
    }

    /// The settings that must agree with each other.
    public func validate() throws(Problem) {
        guard minimumInterval <= maximumInterval else {
            throw Problem(description: "min-interval (\(minimumInterval) s) is above max-interval (\(maximumInterval) s)")
        }
        if let control { _ = try Self.hostAndPort(control) }
    }

    /// `HOST:PORT` (or `[V6]:PORT`) split.
    public static func hostAndPort(_ text: String) throws(Problem) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port)
        else { throw Problem(description: "control must be HOST:PORT, as in \(defaultControl) (or off)") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    /// `on`/`off` (also `true`/`false`, `yes`/`no`) as a Bool; nil for anything else.
    public static func switchValue(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "yes": true
        case "off", "false", "no": false
        default: nil
        }
    }
}
