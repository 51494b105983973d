import ArgumentParser
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
            one libcurl multi handle with connections reused. Ends with the line
            fetch: N requests, C concurrent: R req/s (304=…, 200=…, other=…)

            Examples:
              hubdiffer bench fetch http://127.0.0.1:8080/feed.xml --allow-private-addresses
              hubdiffer bench fetch https://example.com/feed.xml --requests 2000 --concurrency 32
              hubdiffer bench fetch https://127.0.0.1:8443/feed.xml --ca-file private-ca.pem --allow-private-addresses
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

    func validate() throws {
        guard requests > 0, concurrency > 0, connectionsPerHost > 0 else {
            throw ValidationError("--requests, --concurrency and --connections-per-host must be positive")
        }
    }

    func run() async throws {
        let fetcher = Fetcher(
            options: FetcherOptions(
                connectionsPerHost: connectionsPerHost, refusePrivateAddresses: !allowPrivateAddresses, caFile: https.caFile, http2: try https.http2Enabled() ?? true))
        let first = await fetcher.fetch(FetchRequest(url: url))
        if case .failed(let failure) = first.outcome {
            StandardError.line("\(url): \(failure)")
            throw ExitCode(69)
        }
        let request = FetchRequest(url: url, validators: first.validators, bodyHash: first.bodyHash)
        if request.validators == Validators() {
            StandardError.line("\(url) sends no ETag or Last-Modified: the requests are unconditional (200s, body hash compared)")
        }

        let clock = ContinuousClock()
        let start = clock.now
        let requests = self.requests
        let concurrency = min(self.concurrency, requests)
        // Per status, and per failure (the words of each failure that had no status).
        let (counts, failures) = await withTaskGroup(of: ([Int: Int], [String: Int]).self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var counts: [Int: Int] = [:]
                    var failures: [String: Int] = [:]
                    var index = worker
                    while index < requests {
                        let result = await fetcher.fetch(request)
                        counts[result.status, default: 0] += 1
                        if case .failed(let failure) = result.outcome { failures["\(failure)", default: 0] += 1 }
                        index += concurrency
                    }
                    return (counts, failures)
                }
            }
            return await group.reduce(into: ([Int: Int](), [String: Int]())) { total, part in
                total.0.merge(part.0, uniquingKeysWith: +)
                total.1.merge(part.1, uniquingKeysWith: +)
            }
        }
        let elapsed = clock.now - start
        let seconds = elapsed.inSeconds
        let notModified = counts[304, default: 0]
        let ok = counts[200, default: 0]
        let other = requests - notModified - ok
        print(
            "fetch: \(requests) requests, \(concurrency) concurrent: "
                + String(format: "%.0f req/s", Double(requests) / seconds)
                + " (304=\(notModified), 200=\(ok), other=\(other))")
        for (failure, count) in failures.sorted(by: { $0.value > $1.value }).prefix(5) {
            StandardError.line("  \(count) failed: \(failure)")
        }
    }
}
