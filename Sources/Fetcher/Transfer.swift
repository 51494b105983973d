import CCurl
import CXXHash

/// One poll in flight: the request, what came back so far, and who to tell when it ends.
/// Lives on the loop thread of ``CurlMulti`` from submission to completion; libcurl's
/// callbacks reach it through an unmanaged pointer.
///
/// `@unchecked Sendable`: the submitting task makes it and hands it over through the inbox
/// mutex of ``CurlMulti``; from then on only the loop thread reads or writes its mutable state
/// (callbacks run inside `curl_multi_perform` on that thread, and the completion is called
/// there last).
final class Transfer: @unchecked Sendable {
    /// How libcurl ended the transfer, in the terms that matter here.
    enum Ending {
        case complete, bodyTooLarge, writeRefused, couldNotConnect, tooManyRedirects, unsupportedProtocol, timeout, badURL
        case aborted, other
    }

    let request: FetchRequest
    let completion: @Sendable (FetchResult) -> Void
    let options: FetcherOptions
    let policy: AddressPolicy
    let started = ContinuousClock.now

    var body: [UInt8] = []
    var headers = ResponseHeaders()
    var bodyTooLarge = false
    var refusedAddress: String?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var finalURL: String
    var status = 0
    /// libcurl's detailed error message (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(request: FetchRequest, options: FetcherOptions, policy: AddressPolicy, completion: @escaping @Sendable (FetchResult) -> Void) {
        self.request = request
        self.completion = completion
        self.options = options
        self.policy = policy
        finalURL = request.url
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// `host:port` of the request URL, lower-cased: what the per-host limit counts.
    var host: String { Self.host(of: request.url) }

    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? authority
        return hostPort.lowercased()
    }

    var errorText: String { String(cString: errorBuffer) }

    /// A result with this outcome and what is known of the transfer.
    func result(_ outcome: FetchOutcome, validators: Validators? = nil, bodyHash: UInt64? = nil) -> FetchResult {
        FetchResult(
            outcome: outcome, status: status, finalURL: finalURL,
            permanentURL: headers.redirectsWerePermanent && (status == 304 || (200..<300).contains(status)) ? finalURL : nil,
            validators: validators ?? request.validators, bodyHash: bodyHash, duration: ContinuousClock.now - started)
    }

    /// The result of a finished transfer.
    func classify(code: Ending, detail: String, nextURL: String?) -> FetchResult {
        switch code {
        case .complete:
            return classifyResponse()
        case .bodyTooLarge:
            return result(.failed(.bodyTooLarge(limit: options.maximumBodySize)))
        case .writeRefused where bodyTooLarge:
            return result(.failed(.bodyTooLarge(limit: options.maximumBodySize)))
        case .couldNotConnect where refusedAddress != nil:
            return result(.failed(.refusedAddress(refusedAddress ?? "")))
        case .tooManyRedirects:
            return result(.failed(.tooManyRedirects(limit: options.maximumRedirects)))
        case .unsupportedProtocol:
            return result(.failed(.refusedScheme(nextURL ?? finalURL)))
        case .timeout:
            return result(.failed(.timeout))
        case .badURL:
            return result(.failed(.badURL(request.url)))
        default:
            return result(.failed(.network(detail.isEmpty ? "transfer failed" : detail)))
        }
    }

    private func classifyResponse() -> FetchResult {
        let sent = Validators(etag: headers.etag, lastModified: headers.lastModified)
        switch status {
        case 304:
            // A 304 may omit the validators; keep the ones that got it.
            return result(
                .notModified,
                validators: Validators(
                    etag: headers.etag ?? request.validators.etag,
                    lastModified: headers.lastModified ?? request.validators.lastModified))
        case 200..<300:
            let hash = body.withUnsafeBytes { hd_xxh3_64($0.baseAddress, $0.count) }
            if let previous = request.bodyHash, previous == hash {
                return result(.unchanged, validators: sent, bodyHash: hash)
            }
            let fetched = FetchedBody(bytes: body, contentType: headers.contentType, charset: headers.charset)
            return result(.changed(fetched), validators: sent, bodyHash: hash)
        case 410:
            return result(.gone)
        case 429, 503:
            let delay = headers.retryAfter.flatMap {
                RetryAfter.delay($0, now: Int64(Self.unixNow()), maximum: options.maximumRetryAfter)
            }
            return result(.throttled(retryAfter: delay))
        default:
            return result(.failed(.http(status: status)))
        }
    }

    private static func unixNow() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.tv_sec
    }
}
