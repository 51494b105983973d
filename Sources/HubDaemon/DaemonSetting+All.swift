import DaemonKit
import FeedMemory
import Fetcher
import Foundation
import ShardRouter

extension DaemonSetting {
    /// Every setting of `hubdiffer run`, in the order `--help` lists them.
    public static let all: [DaemonSetting] = {
        let defaults = DaemonConfiguration()
        let defaultBudget = "a sixteenth of memory, 64M to 2G: \(DaemonConfiguration.defaultBodyBudget >> 20)M here"
        return [
            .text("feeds", "file", "The feeds file (default \(defaults.feedsFile)).") { $0.feedsFile = $1 },
            .text("shards", "file", "The shard map (default \(defaults.shardsFile)).") { $0.shardsFile = $1 },
            .text("sink", "url", "Where new entries go: stdout (default), http(s)://…, redis://HOST:PORT/KEY.") { $0.sink = $1 },
            .optionalText("control", "host:port", "The control endpoint's HOST:PORT, or off (default \(defaults.control ?? "off")).") { $0.control = $1 == "off" ? nil : $1 },
            .list(
                "control-host", "name",
                "A name the control endpoint answers to in Host besides its address (and localhost on loopback), as behind a reverse proxy that forwards Host (repeatable); name:port for one port only.",
                problem: ControlServer.hostNameProblem, clear: { $0.controlHosts = [] }
            ) { $0.controlHosts.append($1) },
            .optionalText("control-token-file", "file", "A file whose first line is the token PUT and DELETE /feeds/ID need (Authorization: Bearer TOKEN; default $\(BearerToken.environmentVariable)). Without a token, feeds can be changed only when the endpoint is not published (no --control-host).") { $0.controlTokenFile = $1 },
            .optionalText("name", "name", "This daemon's name in the registration it keeps on every shard server (default HOST:PID); `hubdiffer shards daemons` lists them.") { $0.name = $1 },
            DaemonSetting(
                "feed-ids", valueName: "ranges",
                help: "The feed IDs this daemon polls, as FIRST-LAST[,FIRST-LAST…] (default all): feeds outside them, from the feeds file or the API, are refused with one log line and counted, so two daemons cannot poll one feed."
            ) { configuration, value throws(DaemonConfiguration.Problem) in
                do { configuration.feedIDs = try FeedIDRanges(parsing: value) } catch {
                    throw DaemonConfiguration.Problem(description: "feed-ids: \(error) (ranges are FIRST-LAST, comma-separated, as in 0-499999,1000000-1499999)")
                }
            },
            .number("registration-interval", "seconds", 1...300, "Seconds between two refreshes of this daemon's registration on its shard servers; it expires after three (default \(defaults.registrationInterval)), so a crashed daemon holds up a `shards move` that long at most.") { $0.registrationInterval = $1 },
            .number("map-check-interval", "seconds", 0...3600, "Seconds between two checks of the shard map file for a change, which is then loaded as at SIGHUP (default \(defaults.mapCheckInterval); 0: only at SIGHUP).") { $0.mapCheckInterval = $1 },
            .number("interval", "seconds", FeedList.intervalRange, "A feed's first interval, in seconds (default \(defaults.interval)).") { $0.interval = $1 },
            .number("min-interval", "seconds", FeedList.intervalRange, "The shortest interval (default \(defaults.minimumInterval)).") { $0.minimumInterval = $1 },
            .number("max-interval", "seconds", FeedList.intervalRange, "The longest interval (default \(defaults.maximumInterval)).") { $0.maximumInterval = $1 },
            .number("ping-interval", "seconds", 0...86_400, "Seconds between two polls of one feed that pings trigger at least; later pings merge into one poll at the window's end (default \(defaults.pingInterval); 0: a ping polls at once).") { $0.pingInterval = $1 },
            .parsed(
                "first-poll", "mode", "record (default) or emit the entries a feed's first poll finds.", problem: "first-poll must be record or emit",
                DaemonConfiguration.FirstPoll.init(rawValue:)
            ) { $0.firstPoll = $1 },
            .parsed(
                "allow-private-addresses", nil,
                "Poll feeds on private and loopback addresses too (never link-local ones or a cloud's metadata service: see --allow-address).",
                form: .flag, problem: "allow-private-addresses must be true or false", Bool.init
            ) { $0.allowPrivateAddresses = $1 },
            .list(
                "allow-address", "cidr",
                "An address or CIDR range to allow whatever the rules above (repeatable), e.g. 10.1.0.0/16 or 169.254.0.0/16.",
                problem: { range in
                    do { _ = try AddressRange(parsing: range) } catch { return "\(error)" }
                    return nil
                }, clear: { $0.allowedAddresses = [] }
            ) { $0.allowedAddresses.append($1) },
            .number("concurrency", "count", 1...100_000, "Polls in flight at once (default \(defaults.concurrency)).") { $0.concurrency = $1 },
            .optionalText("pid-file", "file", "Write the process ID here (default $RUNTIME_DIRECTORY/hubdiffer.pid under systemd).") { $0.pidFile = $1 },
            .optionalText("contact-url", "url", "A URL about this poller, added to the User-Agent.") { $0.contactURL = $1 },
            .number("stop-grace", "seconds", 0...60, "Seconds polls in flight get to finish after SIGTERM (default \(defaults.stopGrace)).") { $0.stopGrace = $1 },
            .optionalText("state-dir", "dir", "Where the daemon keeps which feeds had their first poll and the feeds changed at run time (default $STATE_DIRECTORY, else ~/.local/state/hubdiffer).") { $0.stateDirectory = $1 },
            .number("unconfirmed-limit", "count", 0...1_000_000_000, "Entry keys held in memory at most while a shard cannot store them (default \(defaults.unconfirmedLimit), ~\(UnconfirmedEntries.bytesPerKey) bytes each).") { $0.unconfirmedLimit = $1 },
            .number("sink-grace", "seconds", 1...86_400, "Seconds the sink may refuse every batch (stdout closed) before the daemon exits 74 to be restarted (default \(defaults.sinkGrace)).") { $0.sinkGrace = $1 },
            .number("parse-budget", "seconds", 1...600, "Seconds of parsing one document may take; past it the poll ends as parse_timeout and the feed backs off (default \(defaults.parseBudget)).") { $0.parseBudget = $1 },
            .number("fetch-timeout", "seconds", 1...3600, "Seconds one fetch may take, the wait for its host included (default \(defaults.fetchTimeout)).") { $0.fetchTimeout = $1 },
            .number("connections-per-host", "count", 1...1000, "Connections to one host (host:port) at once (default \(defaults.connectionsPerHost)); four polls per connection are in flight, at most an eighth of --concurrency, the others wait at most half the fetch timeout, then end as host_busy.") { $0.connectionsPerHost = $1 },
            .number("idle-connections", "count", 0...1_000_000, "Idle connections kept open for the next poll of their host, as nginx's upstream keepalive (default \(defaults.idleConnections)); past it the one idle longest is closed. A kept HTTPS connection holds ~40 KB (~95 KB with HTTP/2); lower it to save memory when few hosts are polled again within two minutes.") { $0.idleConnections = $1 },
            .parsed(
                "body-budget", "size",
                "Bytes of response bodies held at once, with the working memory of the parses under way (twice each document), as 512M or 2G; no poll starts while it is spent, and a body larger than all of it is refused (default \(defaultBudget)).",
                problem: "body-budget must be a size of at least 1M, as in 512M or 2G", { DaemonConfiguration.byteCount($0).flatMap { $0 >= 1 << 20 ? $0 : nil } }
            ) { $0.bodyBudget = $1 },
            DaemonSetting(
                "ca-file", valueName: "file",
                help: "CA certificates (PEM) that HTTPS servers (and an HTTPS sink) must chain to, instead of the system bundle; to trust a private CA as well as public ones, give the bundle with it appended (cat /etc/ssl/certs/ca-certificates.crt private.pem)."
            ) { configuration, value throws(DaemonConfiguration.Problem) in
                if let problem = FetcherOptions.caFileProblem(value) { throw DaemonConfiguration.Problem(description: "ca-file: \(problem)") }
                configuration.caFile = value
            },
            .parsed(
                "http2", "on|off", "on (default): HTTP/2 with HTTPS servers that offer it (many feeds of one host share a connection); off: HTTP/1.1 only.",
                problem: "http2 must be on or off", DaemonConfiguration.switchValue
            ) { $0.http2 = $1 },
        ]
    }()
}
