import ArgumentParser
import DaemonKit
import Fetcher
import Foundation

/// `hubdiffer bench fetch`: conditional GETs the way the daemon sends them, to size a poller.
struct BenchFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Send conditional GETs to one URL the way polling does; print requests per second.",
        discussion: """
            Fetches URL once to learn its validators, then sends REQUESTS conditional GETs \
            (If-None-Match / If-Modified-Since, as the daemon does) with CONCURRENCY in flight, on \
            the fetcher the daemon uses, connections reused. Ends with the line
            fetch: N requests, C concurrent: R req/s (304=…, 200=…, other=…)

            Examples:
              hubdiffer bench fetch http://127.0.0.1:8080/feed.xml --allow-private-addresses
              hubdiffer bench fetch https://example.com/feed.xml --requests 2000 --concurrency 32
              hubdiffer bench fetch https://127.0.0.1:8443/feed.xml --ca-file private-ca.pem --allow-private-addresses
              hubdiffer bench fetch http://127.0.0.1:8080/feed.xml --allow-private-addresses \\
                --idle 10000 --idle-url http://127.0.1.1:9999/hang --idle-url http://127.0.1.2:9999/hang
            """)

    @Argument(help: "The URL to poll.")
    var url: String

    @Option(help: "How many conditional GETs.")
    var requests = 100_000

    @Option(help: "Requests in flight at once.")
    var concurrency = 64

    @Option(help: "Connections to the host at once (the daemon's default is 6, as its polls spread over many hosts).")
    var connectionsPerHost = 64

    @Flag(help: "Allow private, loopback and link-local addresses (a local server).")
    var allowPrivateAddresses = false

    @OptionGroup var https: HTTPSOptions

    @Option(help: ArgumentHelp("Transfers held open to the --idle-url hosts during the run (servers that never answer): what the loop costs with many connections in flight.", valueName: "count"))
    var idle = 0

    @Option(help: ArgumentHelp("A URL for the --idle transfers; repeat it to spread them over several hosts, as in the daemon.", valueName: "url"))
    var idleURL: [String] = []

    @Option(help: ArgumentHelp("libcurl multi handles the hosts are spread over, each on a thread of its own (the daemon uses \(FetcherOptions().transferLoops)).", valueName: "count"))
    var transferLoops = FetcherOptions().transferLoops

    func validate() throws {
        guard requests > 0, concurrency > 0, connectionsPerHost > 0, idle >= 0, transferLoops > 0 else {
            throw ValidationError("--requests, --concurrency, --connections-per-host and --transfer-loops must be positive")
        }
        guard idle == 0 || !idleURL.isEmpty else { throw ValidationError("--idle needs --idle-url") }
        let perHost = (idle + max(1, idleURL.count) - 1) / max(1, idleURL.count)
        guard perHost <= connectionsPerHost else {
            throw ValidationError("--idle \(idle) over \(idleURL.count) hosts needs --connections-per-host of at least \(perHost)")
        }
    }

    func run() async throws {
        let fetcher = Fetcher(
            options: FetcherOptions(
                connectionsPerHost: connectionsPerHost, refusePrivateAddresses: !allowPrivateAddresses, caFile: https.caFile,
                http2: try https.http2Enabled() ?? true, transferLoops: transferLoops))
        let first = await fetcher.fetch(FetchRequest(url: url))
        if case .failed(let failure) = first.outcome {
            StandardError.line("\(url): \(failure)")
            throw ExitCode(.unavailable)
        }
        let request = FetchRequest(url: url, validators: first.validators, bodyHash: first.bodyHash)
        if request.validators == Validators() {
            StandardError.line("\(url) sends no ETag or Last-Modified: the requests are unconditional (200s, body hash compared)")
        }

        let benchmark = FetchBenchmark(fetcher: fetcher)
        if idle > 0 {
            do throws(FetchBenchmark.NotHeld) { try await benchmark.holdIdleTransfers(idle, urls: idleURL) } catch {
                StandardError.line(
                    "\(idleURL.joined(separator: " ")) does not hold the idle transfers open: \(error.running) of \(idle) open, \(error.ended) ended (\(error.firstEnding ?? "-"))")
                throw ExitCode(.unavailable)
            }
            StandardError.line("\(fetcher.transfersRunning) idle transfers held open to \(idleURL.count) hosts")
        }

        let clock = ContinuousClock()
        let start = clock.now
        let concurrency = min(self.concurrency, requests)
        let tally = await benchmark.run(request, count: requests, concurrency: concurrency)
        let seconds = (clock.now - start).inSeconds
        let notModified = tally.statuses[304, default: 0]
        let ok = tally.statuses[200, default: 0]
        print(
            "fetch: \(requests) requests, \(concurrency) concurrent: "
                + String(format: "%.0f req/s", Double(requests) / seconds)
                + " (304=\(notModified), 200=\(ok), other=\(requests - notModified - ok))")
        for (failure, count) in tally.failures.sorted(by: { $0.value > $1.value }).prefix(5) {
            StandardError.line("  \(count) failed: \(failure)")
        }
    }
}
