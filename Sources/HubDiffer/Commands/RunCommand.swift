import HubDaemon
import DaemonKit
import ArgumentParser
import FeedMemory
import Foundation
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
            publisher's ping: poll now).

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
            restart an empty set means lost data (entries are sent), not a new feed.

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
            """)

    @Option(help: ArgumentHelp("A configuration file of `key = value` lines.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The feeds file (default feeds.txt).", valueName: "file"))
    var feeds: String?

    @Option(help: ArgumentHelp("The shard map (default shards.conf).", valueName: "file"))
    var shards: String?

    @Option(help: ArgumentHelp("Where new entries go: stdout, http(s)://…, redis://HOST:PORT/KEY.", valueName: "url"))
    var sink: String?

    @Option(help: ArgumentHelp("The control endpoint's HOST:PORT, or off (default 127.0.0.1:8425).", valueName: "host:port"))
    var control: String?

    @Option(help: ArgumentHelp("A feed's first interval, in seconds (default 900).", valueName: "seconds"))
    var interval: Int?

    @Option(help: ArgumentHelp("The shortest interval (default 60).", valueName: "seconds"))
    var minInterval: Int?

    @Option(help: ArgumentHelp("The longest interval (default 86400).", valueName: "seconds"))
    var maxInterval: Int?

    @Option(help: ArgumentHelp("record (default) or emit the entries a feed's first poll finds.", valueName: "mode"))
    var firstPoll: String?

    @Flag(help: "Poll feeds on private and loopback addresses too (never link-local ones or a cloud's metadata service: see --allow-address).")
    var allowPrivateAddresses = false

    @Option(
        help: ArgumentHelp(
            "An address or CIDR range to allow whatever the rules above (repeatable), e.g. 10.1.0.0/16 or 169.254.0.0/16.",
            valueName: "cidr"))
    var allowAddress: [String] = []

    @Option(help: ArgumentHelp("Polls in flight at once (default 256).", valueName: "count"))
    var concurrency: Int?

    @Option(help: ArgumentHelp("Write the process ID here (default $RUNTIME_DIRECTORY/hubdiffer.pid under systemd).", valueName: "file"))
    var pidFile: String?

    @Option(help: ArgumentHelp("A URL about this poller, added to the User-Agent.", valueName: "url"))
    var contactURL: String?

    @Option(help: ArgumentHelp("Seconds polls in flight get to finish after SIGTERM (default 3).", valueName: "seconds"))
    var stopGrace: Int?

    @Option(
        help: ArgumentHelp(
            "Where the daemon keeps which feeds had their first poll (default $STATE_DIRECTORY, else ~/.local/state/hubdiffer).",
            valueName: "dir"))
    var stateDir: String?

    @Option(
        help: ArgumentHelp(
            "Entry keys held in memory at most while a shard cannot store them (default \(DaemonConfiguration().unconfirmedLimit), ~\(UnconfirmedEntries.bytesPerKey) bytes each).",
            valueName: "count"))
    var unconfirmedLimit: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds the sink may refuse every batch (stdout closed) before the daemon exits 74 to be restarted (default \(DaemonConfiguration().sinkGrace)).",
            valueName: "seconds"))
    var sinkGrace: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds of parsing one document may take; past it the poll ends as parse_timeout and the feed backs off (default \(DaemonConfiguration().parseBudget)).",
            valueName: "seconds"))
    var parseBudget: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds one fetch may take, the wait for its host included (default \(DaemonConfiguration().fetchTimeout)).",
            valueName: "seconds"))
    var fetchTimeout: Int?

    @Option(
        help: ArgumentHelp(
            "Connections to one host (host:port) at once (default \(DaemonConfiguration().connectionsPerHost)); four polls per connection are in flight, at most an eighth of --concurrency, the others wait at most half the fetch timeout, then end as host_busy.",
            valueName: "count"))
    var connectionsPerHost: Int?

    @Option(
        help: ArgumentHelp(
            "Idle connections kept open for the next poll of their host, as nginx's upstream keepalive (default \(DaemonConfiguration().idleConnections)); past it the one idle longest is closed. A kept HTTPS connection holds ~40 KB (~95 KB with HTTP/2); lower it to save memory when few hosts are polled again within two minutes.",
            valueName: "count"))
    var idleConnections: Int?

    @Option(
        help: ArgumentHelp(
            "Bytes of response bodies held at once, as 512M or 2G; no poll starts while it is spent, and a body larger than all of it is refused (default a sixteenth of memory, 64M to 2G: \(DaemonConfiguration.defaultBodyBudget >> 20)M here).",
            valueName: "size"))
    var bodyBudget: String?

    @OptionGroup var https: HTTPSOptions

    /// The configuration file, then the flags given.
    func resolved() throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        do {
            if let config { configuration = try DaemonConfiguration.load(config) }
            let flags: [(String, String?)] = [
                ("feeds", feeds), ("shards", shards), ("sink", sink), ("control", control), ("interval", interval.map(String.init)),
                ("min-interval", minInterval.map(String.init)), ("max-interval", maxInterval.map(String.init)),
                ("first-poll", firstPoll), ("allow-private-addresses", allowPrivateAddresses ? "true" : nil),
                ("concurrency", concurrency.map(String.init)), ("pid-file", pidFile), ("contact-url", contactURL),
                ("stop-grace", stopGrace.map(String.init)), ("state-dir", stateDir),
                ("unconfirmed-limit", unconfirmedLimit.map(String.init)), ("sink-grace", sinkGrace.map(String.init)),
                ("parse-budget", parseBudget.map(String.init)), ("fetch-timeout", fetchTimeout.map(String.init)),
                ("connections-per-host", connectionsPerHost.map(String.init)), ("body-budget", bodyBudget),
                ("idle-connections", idleConnections.map(String.init)),
                ("ca-file", https.caFile), ("http2", https.http2),
            ]
            for case (let key, let value?) in flags { try configuration.set(key, value) }
            if !allowAddress.isEmpty {
                configuration.allowedAddresses = []  // the flags replace the file's list
                for range in allowAddress { try configuration.set("allow-address", range) }
            }
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return configuration
    }

    func validate() throws { _ = try resolved() }

    func run() async throws {
        let configuration = try resolved()
        // A reader of standard output that goes away must not end the daemon: the write then
        // fails, the stdout sink answers false, and the entries stay unmarked (one log line).
        SignalWatcher.ignoreBrokenPipes()
        let daemon = Daemon(configuration: configuration, logger: Logger(label: "hubdiffer.daemon"))
        let status: Int32
        do {
            status = try await daemon.run()
        } catch {
            StandardError.line("hubdiffer run: \(error)")
            throw ExitCode(error.status)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
