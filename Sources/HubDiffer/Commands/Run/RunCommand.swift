import ArgumentParser
import DaemonKit
import Foundation
import HubDaemon
import Logging

/// `hubdiffer run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: poll every feed of the feeds file and send each new entry once.",
        discussion: """
            Feeds come from the feeds file, one `FEED_ID URL [SECONDS]` a line (SECONDS pins \
            the feed's interval; otherwise it adapts between --min-interval and --max-interval: \
            feeds with new entries are polled more often, quiet ones less; RSS <ttl> and \
            Cache-Control max-age are respected within those bounds; errors back off \
            exponentially; Retry-After is honoured; 410 stops a feed; a 301/308 held on 3 \
            polls replaces its URL). The first poll of a feed records its entries without \
            sending them (--first-poll emit sends them). New entries go to the sink before they \
            are marked as seen: after a crash an entry may go out twice, never zero times.

            Sinks: stdout (JSON lines, the schema of `hubdiffer fetch`); http(s)://… (POST \
            batches of entries as JSON, retried until a 2xx); redis://HOST:PORT/KEY (XADD to a \
            stream).

            Control endpoint (--control, loopback, default 127.0.0.1:8425; `off` for none): GET \
            /metrics (Prometheus), GET /health, POST /ping with hub.url=URL or feed=ID (a \
            publisher's ping: poll now; pings for one feed within --ping-interval seconds \
            merge into one poll at its end). It answers only a Host naming it (its address, \
            localhost, or a --control-host name: 421 otherwise) and refuses a POST from a \
            foreign browser Origin (403).

            Feeds can be changed while the daemon runs (`hubdiffer feeds` is the CLI): PUT \
            /feeds/ID with url=URL[&interval=SECONDS] adds or changes one (polled within a few \
            seconds), DELETE /feeds/ID stops it, GET /feeds/ID shows its status (state, last \
            outcome and error, next poll…), GET /feeds?state=failing lists the feeds in \
            trouble. Changes are written to the state directory before they are answered, and \
            hold over the feeds file until the file's line for that feed is edited after them \
            (the newest word wins, at start and at SIGHUP). With --control-token-file, PUT and \
            DELETE need Authorization: Bearer TOKEN; with --control-host set they need it.

            Signals: SIGHUP re-reads the feeds file and the shard map (a broken file is refused \
            with one line; the one in use stays); SIGTERM and SIGINT stop within --stop-grace \
            seconds and exit 0. Under systemd (Type=notify) it reports READY, STATUS and \
            WATCHDOG; see deploy/hubdiffer.service.

            The configuration file holds `key = value` lines with the long flag names as keys \
            (deploy/hubdiffer.conf.example); flags override it.

            Redis failures never stop polling. While a feed's shard is down or refuses writes \
            (OOM, READONLY), what was sent is held in memory (--unconfirmed-limit) and goes out \
            once, not at every poll; it is written when the shard accepts it again. The state \
            directory (--state-dir) remembers which feeds had their first poll, so after a \
            restart an empty set means lost data (entries are sent), not a new feed, and the \
            feeds changed at run time.

            Exit status: 0 stopped by a signal; 64 bad usage; 69 the control endpoint cannot \
            listen; 73 the state directory cannot be used; 74 the sink refused every entry for \
            --sink-grace seconds (standard output closed, say: the entries stay unmarked); 78 \
            the configuration, feeds file or shard map cannot be used.

            Examples:
              hubdiffer run --feeds feeds.txt --shards shards.conf
              hubdiffer run --feeds feeds.txt --state-dir /var/lib/hubdiffer
              hubdiffer run --config /etc/hubdiffer/hubdiffer.conf
              hubdiffer run --feeds feeds.txt --sink http://127.0.0.1:9000/notify --interval 300
              hubdiffer run --feeds feeds.txt --ca-file /etc/hubdiffer/bundle-with-private-ca.pem --http2 off
              hubdiffer run --feeds feeds.txt --body-budget 512M --fetch-timeout 20
              curl -d hub.url=https://example.com/feed.xml http://127.0.0.1:8425/ping
              curl -X PUT -d url=https://example.com/feed.xml http://127.0.0.1:8425/feeds/42
              curl http://127.0.0.1:8425/feeds/42
              curl 'http://127.0.0.1:8425/feeds?state=failing&limit=20'
            """)

    @Option(help: ArgumentHelp("A configuration file of `key = value` lines.", valueName: "file"))
    var config: String?

    // The settings (see `DaemonSetting.all`): each flag is named after its key, takes its help
    // from the table, and is read as text for the table to check (`SettingFlags`).
    @Option(help: .setting("feeds")) var feeds: String?
    @Option(help: .setting("shards")) var shards: String?
    @Option(help: .setting("sink")) var sink: String?
    @Option(help: .setting("control")) var control: String?
    @Option(help: .setting("control-host")) var controlHost: [String] = []
    @Option(help: .setting("control-token-file")) var controlTokenFile: String?
    @Option(help: .setting("name")) var name: String?
    @Option(help: .setting("feed-ids")) var feedIds: String?
    @Option(help: .setting("registration-interval")) var registrationInterval: String?
    @Option(help: .setting("map-check-interval")) var mapCheckInterval: String?
    @Option(help: .setting("interval")) var interval: String?
    @Option(help: .setting("min-interval")) var minInterval: String?
    @Option(help: .setting("max-interval")) var maxInterval: String?
    @Option(help: .setting("ping-interval")) var pingInterval: String?
    @Option(help: .setting("first-poll")) var firstPoll: String?
    @Flag(help: .setting("allow-private-addresses")) var allowPrivateAddresses = false
    @Option(help: .setting("allow-address")) var allowAddress: [String] = []
    @Option(help: .setting("concurrency")) var concurrency: String?
    @Option(help: .setting("pid-file")) var pidFile: String?
    @Option(help: .setting("contact-url")) var contactURL: String?
    @Option(help: .setting("stop-grace")) var stopGrace: String?
    @Option(help: .setting("state-dir")) var stateDir: String?
    @Option(help: .setting("unconfirmed-limit")) var unconfirmedLimit: String?
    @Option(help: .setting("sink-grace")) var sinkGrace: String?
    @Option(help: .setting("parse-budget")) var parseBudget: String?
    @Option(help: .setting("fetch-timeout")) var fetchTimeout: String?
    @Option(help: .setting("connections-per-host")) var connectionsPerHost: String?
    @Option(help: .setting("idle-connections")) var idleConnections: String?
    @Option(help: .setting("body-budget")) var bodyBudget: String?
    @OptionGroup var https: HTTPSOptions

    /// The configuration file, then the flags given.
    func resolved() throws -> DaemonConfiguration {
        do throws(DaemonConfiguration.Problem) {
            var configuration = try config.map(DaemonConfiguration.load) ?? DaemonConfiguration()
            try SettingFlags.apply(self, to: &configuration)
            try configuration.validate()
            return configuration
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws { _ = try resolved() }

    func run() async throws {
        let configuration = try resolved()
        // A reader of standard output that goes away must not end the daemon: the write then
        // fails, the stdout sink answers false, and the entries stay unmarked (one log line).
        SignalWatcher.ignoreBrokenPipes()
        let daemon = Daemon(configuration: configuration, logger: Logger(label: "hubdiffer.daemon"))
        let status: ExitStatus
        do {
            status = try await daemon.run()
        } catch {
            StandardError.line("hubdiffer run: \(error)")
            throw ExitCode(error.status)
        }
        if status != .ok { throw ExitCode(status) }
    }
}
