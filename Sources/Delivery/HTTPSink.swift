import Fetcher
import Foundation
import Logging
import Metrics

/// `--sink http(s)://…`: new entries POSTed as `{"entries":[…]}` (`Content-Type:
/// application/json`, each element an object of the entry schema), batched across feeds — up
/// to 500 entries, or what arrived within 200 ms of the first — one POST in flight at a time.
///
/// A 2xx answers every batch of the POST true. A 4xx other than 408 and 429 (and a 3xx:
/// redirects are not followed) is permanent: one error line with the status and the start of
/// the response, and false (the entries stay unmarked; the feeds' next polls offer them
/// again). Anything else — 5xx, 408, 429, a network failure — is retried with backoff from
/// 0.5 s doubling to 30 s (or the Retry-After of a 429 or 503, up to 5 minutes) for as long as
/// it takes; the polls waiting meanwhile hold, which slows the daemon instead of losing entries.
///
/// The POSTs go through a ``Fetcher`` of the sink's own (one libcurl thread), which connects to
/// private addresses: the sink's URL is the operator's, and no redirect is followed.
public final class HTTPSink: EntrySink {
    public let description: String
    private let batcher: SinkBatcher

    /// The fetcher options of a sink: private addresses allowed (the operator's URL), few
    /// connections, Retry-After honoured up to 5 minutes; the daemon's CA file and HTTP/2 choice.
    public static func fetcherOptions(caFile: String? = nil, http2: Bool = FetcherOptions().http2) -> FetcherOptions {
        FetcherOptions(
            totalTimeout: .seconds(30), connectionsPerHost: 2, idleConnections: 4, refusePrivateAddresses: false,
            checksAddresses: false, maximumRetryAfter: .seconds(300), caFile: caFile, http2: http2, transferLoops: 1)
    }

    /// - Parameters:
    ///   - url: an `http` or `https` URL (``SinkFactory`` checks it).
    ///   - fetcher: what sends the POSTs; by default a fetcher of the sink's own, with
    ///     `options` (``fetcherOptions(caFile:http2:)``).
    ///   - limits: the batching and backoff bounds.
    ///   - timeout: how long one POST may take.
    public init(
        url: String, fetcher: Fetcher? = nil, options: FetcherOptions = HTTPSink.fetcherOptions(),
        limits: SinkBatcher.Limits = SinkBatcher.Limits(maxEntries: 500, window: .milliseconds(200)),
        timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "hubdiffer.sink"), metrics: MetricsFactory = MetricsSystem.factory
    ) {
        let name = Self.redacted(url)
        description = name
        let fetcher = fetcher ?? Fetcher(options: options)
        batcher = SinkBatcher(name: name, kind: "http", limits: limits, logger: logger, metrics: metrics) { batches in
            let result = await fetcher.post(
                PostRequest(url: url, body: Self.body(batches), contentType: "application/json", timeout: timeout))
            return Self.outcome(result)
        }
    }

    public func deliver(_ batch: SinkBatch) async -> Bool {
        await batcher.deliver(batch)
    }

    public func flush(deadline: ContinuousClock.Instant) async {
        await batcher.flush(deadline: deadline)
    }

    /// Entries held now (``SinkBatcher/heldEntries``).
    var heldEntries: Int {
        get async { await batcher.heldEntries }
    }

    /// `{"entries":[E1,E2,…]}`, the entries' JSON as given, in order.
    public static func body(_ batches: [SinkBatch]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(batches.reduce(16) { $0 + $1.lines.count })
        body.append(contentsOf: #"{"entries":["#.utf8)
        var first = true
        for batch in batches {
            batch.forEachEntry { entry in
                if !first { body.append(UInt8(ascii: ",")) }
                first = false
                body.append(contentsOf: entry)
            }
        }
        body.append(contentsOf: "]}".utf8)
        return body
    }

    /// What a POST's result means for the batches it carried.
    public static func outcome(_ result: PostResult) -> SinkSendOutcome {
        switch result.outcome {
        case .responded(let status) where (200..<300).contains(status):
            return .delivered
        case .responded(let status) where status == 429 || status == 503:
            return .retry(after: result.retryAfter, reason: "HTTP \(status)")
        case .responded(let status) where status == 408:
            return .retry(after: nil, reason: "HTTP 408")
        case .responded(let status) where (300..<500).contains(status):
            let start = String(decoding: result.responseBody.prefix(200), as: UTF8.self)
            let shown = start.isEmpty ? "" : ": \(start.debugDescription)"
            let why = status < 400 ? " (redirects are not followed: give the sink's final URL)" : ""
            return .rejected(reason: "HTTP \(status)\(why)\(shown)")
        case .responded(let status):
            return .retry(after: nil, reason: "HTTP \(status)")
        case .failed(let failure):
            switch failure {
            case .refusedScheme, .badURL, .refusedAddress:
                return .rejected(reason: failure.description)
            default:
                return .retry(after: nil, reason: failure.description)
            }
        }
    }

    /// The URL with any password in it replaced by `***`.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userinfo = authority[..<at]
        guard userinfo.contains(":") else { return url }
        let user = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(url[..<scheme.upperBound]) + user + ":***" + String(rest[at...])
    }
}
