import AsyncBridges
import Foundation

/// Polls feeds over HTTP(S) on a few libcurl multi handles (``FetcherOptions/transferLoops``),
/// each on a thread of its own with thousands of transfers in flight; a host's transfers always
/// go to the same one, so its connections, TLS sessions and per-host limit stay together.
/// Conditional GETs from the stored validators, and every outcome a poller must tell apart
/// (see ``FetchOutcome``).
///
/// ```swift
/// let fetcher = Fetcher()
/// let result = await fetcher.fetch(FetchRequest(url: "https://example.com/feed.xml"))
/// ```
public final class Fetcher: Sendable {
    public let options: FetcherOptions
    /// The transfer loops; a host's transfers go to `loops[hash(host) % count]`.
    private let loops: [CurlMulti]
    private let policy: AddressPolicy
    /// What response bodies are charged to; nil: no budget (one-shot fetches).
    public let budget: BodyBudget?

    /// True when a proxy from the environment carries the polls: every connection then goes
    /// to the proxy, so the private-address check cannot see the feed's address and is left
    /// to the proxy's own rules (say so once in the log).
    public let addressCheckLeftToProxy: Bool

    /// The variables libcurl takes a proxy from (it ignores upper-case `HTTP_PROXY`).
    static let proxyVariables = ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]

    /// A fetcher; with `budget`, response bodies held at once stay within it (see ``BodyBudget``).
    public init(
        options: FetcherOptions = FetcherOptions(), budget: BodyBudget? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.options = options
        self.budget = budget
        let proxied = Self.proxyVariables.contains { environment[$0]?.isEmpty == false }
        addressCheckLeftToProxy = proxied && options.refusePrivateAddresses
        policy = AddressPolicy(
            refusePrivate: options.refusePrivateAddresses, allowed: options.allowedAddresses,
            checked: options.checksAddresses && !proxied)
        let count = max(1, options.transferLoops)
        loops = (0..<count).map { index in
            var perLoop = options  // the idle connections shared out exactly: the first loops take the remainder
            perLoop.idleConnections = options.idleConnections / count + (index < options.idleConnections % count ? 1 : 0)
            return CurlMulti(options: perLoop, budget: budget, name: "hubdiffer.curl.\(index)")
        }
    }

    deinit { for loop in loops { loop.stop() } }

    /// Why loops ended on a failure of libcurl (their hosts' transfers all fail with it): empty
    /// while every loop runs. The daemon reports it in `/health` and to the watchdog.
    public var failedLoops: [String] { loops.compactMap { $0.failure.withLock { $0 } } }

    /// Transfers handed to libcurl now (not those waiting for a connection to their host).
    public var transfersRunning: Int { loops.reduce(0) { $0 + $1.running.load(ordering: .relaxed) } }

    /// The loop of `transfer`'s host.
    private func loop(of transfer: Transfer) -> CurlMulti {
        loops.count == 1 ? loops[0] : loops[Int(UInt(bitPattern: transfer.host.hashValue) % UInt(loops.count))]
    }

    /// Runs the transfer `make` builds (around the completion it is given) on its host's loop,
    /// and returns how it ended. Cancelling the calling task removes it from libcurl (or it is
    /// never started, when the cancellation came first); it then ends as cancelled.
    private func run<Result: Sendable>(_ make: (@escaping @Sendable (Result) -> Void) -> Transfer) async -> Result {
        let answer = OneAnswer<Result>()
        let transfer = make { answer.give($0) }
        let loop = loop(of: transfer)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                answer.wait(continuation)
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Fetches `request.url`; never throws: every failure is an outcome.
    public func fetch(_ request: FetchRequest) async -> FetchResult {
        guard Self.hasHTTPScheme(request.url) else {
            return FetchResult(outcome: .failed(.refusedScheme(request.url)), finalURL: request.url)
        }
        if Task.isCancelled { return FetchResult(outcome: .failed(.cancelled), finalURL: request.url) }
        return await run { Transfer(request: request, options: options, policy: policy, budget: budget, completion: $0) }
    }

    /// Sends `request.body` to `request.url` with POST; never throws: every failure is an
    /// outcome. Only http and https, the same private-address policy as polls, no redirect
    /// followed (a 3xx is the answer), the response body read up to
    /// ``PostRequest/maximumResponseSize`` and discarded but for its first bytes. Runs on the
    /// loop of its host, sharing its connections and its per-host limit with polls.
    public func post(_ request: PostRequest) async -> PostResult {
        guard Self.hasHTTPScheme(request.url) else { return PostResult(outcome: .failed(.refusedScheme(request.url))) }
        if let bad = request.headers.first(where: { !$0.isValid }) ?? [HTTPHeader("Content-Type", request.contentType)].first(where: { !$0.isValid }) {
            return PostResult(outcome: .failed(.network("refused: the header \(bad.name.debugDescription) cannot be sent (a line break, NUL or bad name)")))
        }
        if Task.isCancelled { return PostResult(outcome: .failed(.cancelled)) }
        return await run { Transfer(post: request, options: options, policy: policy, completion: $0) }
    }

    /// `host:port` of `url` as written (lower-cased, without user info): the unit of the
    /// per-host connection limit, here and in whoever queues polls by host.
    public static func hostKey(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? authority
        return hostPort.lowercased()
    }

    /// Whether `url` starts with `http://` or `https://` (any case).
    static func hasHTTPScheme(_ url: String) -> Bool {
        let head = url.utf8.prefix(8).map { $0 | 0x20 }
        return head.starts(with: Array("http://".utf8)) || head.starts(with: Array("https://".utf8))
    }
}

