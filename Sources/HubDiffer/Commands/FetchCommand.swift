import Polling
import Delivery
import DaemonKit
import ArgumentParser
import EntryStore
import FeedParsing
import Fetcher
import Foundation
import Logging
import ShardRouter

/// `hubdiffer fetch`: one poll of one feed, end to end, printing its new entries.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Poll one feed once: fetch, parse, diff, print the new entries, mark them as seen.",
        discussion: """
            The request is conditional on what the last poll stored (ETag, Last-Modified, body \
            hash), so a second run on an unchanged feed prints nothing. The first run prints every \
            entry: all of them are new to the store. New entries go to standard output, one JSON \
            object a line ({"feed","key","id","link","title","summary","content","authors",\
            "categories","enclosures","published","updated"}: the schema the daemon's sinks use); \
            logs go to standard error. When the feed's shard is down, every entry is printed as \
            new, with one warning.

            HTTPS certificates are always verified (--ca-file replaces the system bundle, for a \
            private CA); a refused one \
            is said with its reason (expired, another host name, an unknown CA…) and exits 69.

            Exit status: 0 fetched, not modified or unchanged; 65 not a feed; 69 a network or HTTP \
            failure (one line says why); 74 the entries could not be written (nothing is marked); \
            75 the entries were printed but the store did not record them (its shard is down or \
            refuses writes: the next run prints them again); 64 bad usage.

            Examples:
              hubdiffer fetch 42 https://example.com/feed.xml
              hubdiffer fetch 42 https://example.com/feed.xml --format text --dry-run
              hubdiffer fetch 7 http://127.0.0.1:8080/feed.xml --shards /etc/hubdiffer/shards.conf --allow-private-addresses
              hubdiffer fetch 9 https://feeds.internal/feed.xml --ca-file private-ca.pem --allow-private-addresses
            """)

    @Argument(help: "The feed's ID (0 … 2^63−1): it picks the shard and names the feed's keys.")
    var feedID: Int64

    @Argument(help: "The feed's URL (http or https).")
    var url: String

    @Option(help: "The shard map.")
    var shards = "shards.conf"

    @Flag(help: "Diff but do not mark or save anything: the next run sees the same entries as new.")
    var dryRun = false

    @Option(help: "json (one object a line) or text (a short table).")
    var format: OutputFormat = .json

    @Flag(help: "Allow private and loopback addresses (for local tests and demos); never link-local ones or a cloud's metadata service unless --allow-address names them.")
    var allowPrivateAddresses = false

    @Option(help: ArgumentHelp("An address or CIDR range to allow whatever the rules (repeatable), e.g. 169.254.0.0/16.", valueName: "cidr"))
    var allowAddress: [String] = []

    @Option(help: "Give up after this many seconds.")
    var timeout = 30.0

    @Option(help: "Abort bodies larger than this many bytes.")
    var maxBytes = 10 << 20

    @OptionGroup var https: HTTPSOptions

    @Option(help: "The URL in the User-Agent where site owners learn who polls them.")
    var contactURL = FetcherOptions().contactURL

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    func validate() throws {
        guard feedID >= 0 else { throw ValidationError("FEED_ID must be between 0 and \(Int64.max)") }
        for range in allowAddress {
            do { _ = try AddressRange(parsing: range) } catch { throw ValidationError("--allow-address: \(error)") }
        }
        guard timeout > 0, timeout <= 86_400, maxBytes > 0 else {
            throw ValidationError("--timeout must be between 0 and 86400 seconds and --max-bytes positive")
        }
    }

    func run() async throws {
        let logger = Logger(label: "hubdiffer.fetch")
        let map: ShardMap
        do {
            map = try ShardMap.load(from: shards)
        } catch {
            StandardError.line("\(shards): \(error)")
            StandardError.line("pass --shards FILE; the repository's shards.conf shows the format")
            throw ExitCode(.usage)
        }
        let fetcher = Fetcher(
            options: FetcherOptions(
                maximumBodySize: maxBytes, totalTimeout: .milliseconds(Int(timeout * 1000)), contactURL: contactURL,
                refusePrivateAddresses: !allowPrivateAddresses, allowedAddresses: Set(allowAddress), caFile: https.caFile, http2: try https.http2Enabled() ?? true,
                transferLoops: 1))
        if fetcher.addressCheckLeftToProxy {
            logger.warning("a proxy is set in the environment: private addresses are the proxy's to refuse")
        }
        // The store's own "shard is down" line is left out: this command says it once, below.
        var storeLogger = Logger(label: "hubdiffer.store")
        storeLogger.logLevel = .error
        let store = EntryStore(map: map, logger: storeLogger)
        let poll = FeedPoll(fetcher: fetcher, store: store)
        let format = self.format
        let feedID = self.feedID
        let report = await poll.run(feed: feedID, url: url, record: !dryRun) { entries, history in
            if history == .unknown, let range = map.route(feedID) {
                logger.warning(
                    "the feed's shard \(range.endpoint.redactedURL) cannot be reached: every entry is printed as new",
                    metadata: ["feed": "\(feedID)"])
            } else if map.route(feedID) == nil {
                logger.warning("feed \(feedID) is in no range of the shard map: every entry is printed as new")
            }
            do {
                try Self.print(entries, feed: feedID, format: format)
                return true
            } catch {
                // Not marked: the next run prints them again.
                logger.error("cannot write the entries to standard output: \(error)")
                return false
            }
        }
        if let permanent = report.fetch.permanentURL {
            logger.notice("the feed moved permanently", metadata: ["url": "\(permanent)"])
        }
        switch report.outcome {
        case .notModified:
            logger.info("not modified (304)")
        case .unchanged:
            logger.info("unchanged: same body as last time")
        case .fetched(let newCount, let documentCount):
            if newCount > 0, !report.delivered { throw ExitCode(.ioError) }
            logger.info("\(newCount) new of \(documentCount) entries\(dryRun ? " (dry run: nothing marked)" : "")")
            if !dryRun, documentCount > 0, !report.marked {
                let shard = map.route(feedID)?.endpoint.redactedURL ?? "no shard"
                StandardError.line(
                    "\(url): the entries could not be recorded in \(shard) (down, or refusing writes: see the line above); the next run prints them again")
                throw ExitCode(.temporaryFailure)
            }
        case .notAFeed(let why):
            StandardError.line("\(url): not a feed: \(why)")
            throw ExitCode(.dataError)
        case .gone:
            StandardError.line("\(url): 410 Gone: the feed is gone for good; stop polling it")
            throw ExitCode(.unavailable)
        case .throttled(let delay):
            let after = delay.map { " (Retry-After: \($0.components.seconds) s)" } ?? ""
            StandardError.line("\(url): HTTP \(report.fetch.status): the server asks to come back later\(after)")
            throw ExitCode(.unavailable)
        case .failed(let failure):
            StandardError.line("\(url): \(failure)")
            throw ExitCode(.unavailable)
        }
    }

    private static func print(_ entries: [Entry], feed: Int64, format: OutputFormat) throws {
        var output: [UInt8] = []
        switch format {
        case .json:
            output = FeedJSON.lines(entries, feedID: feed).lines
        case .text:
            for entry in entries {
                let date = entry.date.map(FeedDate.format) ?? "-"
                output += "\(EntryIdentity.hex(entry.key))  \(date)  \(entry.title ?? entry.link ?? entry.id ?? "")\n".utf8
            }
        }
        try FileHandle.standardOutput.write(contentsOf: Data(output))
    }
}
