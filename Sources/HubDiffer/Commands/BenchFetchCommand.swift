import DaemonKit
import ArgumentParser
import Fetcher
import Foundation
import Synchronization

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
            throw ExitCode(69)
        }
        let request = FetchRequest(url: url, validators: first.validators, bodyHash: first.bodyHash)
        if request.validators == Validators() {
            StandardError.line("\(url) sends no ETag or Last-Modified: the requests are unconditional (200s, body hash compared)")
        }

        if idle > 0 {
            // Held until the process ends; waited for until libcurl has them all, and refused
            // if any of them ends (then the server answered or refused: they were not idle).
            let ended = EndedTransfers()
            for index in 0..<idle {
                let idleURL = self.idleURL[index % self.idleURL.count]
                Task.detached {
                    let result = await fetcher.fetch(FetchRequest(url: idleURL, timeout: .seconds(3600)))
                    ended.state.withLock { $0 = ($0.count + 1, $0.first ?? "\(result.outcome)") }
                }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while fetcher.transfersRunning < idle, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(500))  // long enough for a refused connection to end
            let (count, first) = ended.state.withLock { $0 }
            guard fetcher.transfersRunning >= idle, count == 0 else {
                StandardError.line(
                    "\(idleURL.joined(separator: " ")) does not hold the idle transfers open: \(fetcher.transfersRunning) of \(idle) open, \(count) ended (\(first ?? "-"))")
                throw ExitCode(69)
            }
            StandardError.line("\(fetcher.transfersRunning) idle transfers held open to \(idleURL.count) hosts")
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

/// How many of the idle transfers ended, and how the first did.
private final class EndedTransfers: Sendable {
    let state = Mutex<(count: Int, first: String?)>((0, nil))
}
