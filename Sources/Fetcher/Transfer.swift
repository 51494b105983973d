import CCurl
import CXXHash
import Synchronization

/// One transfer in flight — a poll (conditional GET) or a POST —: the request, what came back
/// so far, and who to tell when it ends. Lives on the loop thread of ``CurlMulti`` from
/// submission to completion; libcurl's callbacks reach it through an unmanaged pointer.
///
/// `@unchecked Sendable`: the submitting task makes it and hands it over through the inbox
/// mutex of ``CurlMulti``; from then on only the loop thread reads or writes its mutable state
/// (callbacks run inside `curl_multi_perform` on that thread, and the completion is called
/// there last).
final class Transfer: @unchecked Sendable {
    /// How libcurl ended the transfer, in the terms that matter here.

    /// Transfers paused for want of body budget, for the loop to resume (loop thread only).
    /// Changed on the loop thread only; ``count`` may be read from any thread.
    final class PausedList {
        var transfers: [Transfer] = [] {
            didSet { count.store(transfers.count, ordering: .relaxed) }
        }
        /// How many transfers are paused (read by the budget's release observer).
        let count = Atomic<Int>(0)
    }

    /// What the transfer is, and who hears how it ended.
    enum Kind {
        case poll(FetchRequest, completion: @Sendable (FetchResult) -> Void)
        case post(PostRequest, completion: @Sendable (PostResult) -> Void)
    }

    let kind: Kind
    /// The URL requested (before any redirect).
    let url: String
    /// `host:port` of ``url``, lower-cased: what the per-host limit counts and what picks the
    /// transfer's loop.
    let host: String
    /// The most body bytes kept; past it the transfer is aborted.
    let bodyLimit: Int
    let options: FetcherOptions
    let policy: AddressPolicy
    /// How long the whole transfer may take.
    let timeout: Duration
    /// What the body's bytes are charged to; nil: no budget.
    let budget: BodyBudget?
    let started = ContinuousClock.now
    /// When it must be over, waiting for a connection to its host included.
    var deadline: ContinuousClock.Instant { started + timeout }

    var body: [UInt8] = []
    var headers = ResponseHeaders()
    var bodyTooLarge = false
    var refusedAddress: String?
    /// The request headers given to libcurl: made and freed by ``CurlMulti`` (freed when it
    /// takes the easy handle back), never touched here.
    var headerList: UnsafeMutablePointer<curl_slist>?
    var finalURL: String
    var status = 0
    /// OpenSSL's verification result of the server certificate (`X509_V_OK` is 0).
    var verifyResult = 0
    /// The bytes this body holds against ``budget``.
    var charge: BodyCharge?
    /// The body alone needs more than the whole budget.
    var overBudget = false
    /// The easy handle while the transfer runs (for the body callback's size hint and resuming).
    var easy: UnsafeMutableRawPointer?
    /// Where the body callback puts the transfer when it pauses it for want of budget.
    var pausedList: PausedList?
    /// Set by the caller's cancellation handler (any thread); the loop then removes the
    /// transfer, or does not start it.
    let cancelRequested = Atomic<Bool>(false)
    /// libcurl's detailed error message (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar>

    /// A poll.
    convenience init(
        request: FetchRequest, options: FetcherOptions, policy: AddressPolicy, budget: BodyBudget?,
        completion: @escaping @Sendable (FetchResult) -> Void
    ) {
        self.init(
            kind: .poll(request, completion: completion), url: request.url, bodyLimit: options.maximumBodySize, options: options,
            policy: policy, timeout: request.timeout ?? options.totalTimeout, budget: budget)
    }

    /// A POST.
    convenience init(post: PostRequest, options: FetcherOptions, policy: AddressPolicy, completion: @escaping @Sendable (PostResult) -> Void) {
        self.init(
            kind: .post(post, completion: completion), url: post.url, bodyLimit: PostRequest.maximumResponseSize, options: options,
            policy: policy, timeout: post.timeout, budget: nil)
    }

    private init(
        kind: Kind, url: String, bodyLimit: Int, options: FetcherOptions, policy: AddressPolicy, timeout: Duration, budget: BodyBudget?
    ) {
        self.kind = kind
        self.timeout = timeout
        self.budget = budget
        self.url = url
        host = Fetcher.hostKey(of: url)
        self.bodyLimit = bodyLimit
        self.options = options
        self.policy = policy
        finalURL = url
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
    }

    deinit {
        assert(headerList == nil, "CurlMulti frees a transfer's header list when the transfer ends")
        errorBuffer.deallocate()
    }

    /// The capacity to give the body buffer so that `needed` bytes fit: the announced length
    /// when it covers them, else half as much again (never past the cap).
    func capacity(toHold needed: Int, announced: Int?) -> Int {
        if let announced, announced >= needed, announced <= bodyLimit { return announced }
        return min(bodyLimit, max(needed, body.capacity + body.capacity / 2, 16 << 10))
    }

    /// What to do with `length` more body bytes (see ``admitBody(bytes:announcedLength:)``).
    enum BodyAdmission { case append, pause, refuse }

    /// Whether `length` more body bytes may be appended: refused past the cap
    /// (``bodyTooLarge``). With a budget, the buffer grows only by what the budget grants
    /// (sized from `announcedLength`, asked only then; without it the buffer grows by halves):
    /// without a grant the transfer is paused (listed for the loop to resume), and a body that
    /// needs more than the whole budget is refused (``overBudget``).
    func admitBody(bytes length: Int, announcedLength: () -> Int?) -> BodyAdmission {
        let needed = body.count + length
        guard needed <= bodyLimit else {
            bodyTooLarge = true
            return .refuse
        }
        guard needed > body.capacity, let budget else { return .append }
        // Never more than the whole budget for a body that fits in it.
        let capacity = min(capacity(toHold: needed, announced: announcedLength()), max(needed, budget.limit))
        let charge = charge ?? budget.charge()
        self.charge = charge
        switch budget.grow(charge, by: max(0, capacity - charge.bytes)) {
        case .granted:
            body.reserveCapacity(capacity)
            return .append
        case .wait:
            pausedList?.transfers.append(self)
            return .pause
        case .refused:
            overBudget = true
            return .refuse
        }
    }

    var errorText: String { String(cString: errorBuffer) }

    /// Tells the caller that the transfer failed before it could run (or was stopped).
    func fail(_ failure: FetchFailure) {
        switch kind {
        case .poll(let request, let completion): completion(result(of: request, .failed(failure)))
        case .post(_, let completion): completion(postResult(.failed(failure)))
        }
    }

    /// Tells the caller how the finished transfer ended.
    func finish(code: Ending, detail: String, nextURL: String?) {
        if cancelRequested.load(ordering: .relaxed) {
            fail(.cancelled)
            return
        }
        switch kind {
        case .poll(let request, let completion): completion(classify(request, code: code, detail: detail, nextURL: nextURL))
        case .post(_, let completion): completion(classifyPost(code: code, detail: detail))
        }
    }

    // MARK: - Polls

    /// A result with this outcome and what is known of the transfer.
    private func result(of request: FetchRequest, _ outcome: FetchOutcome, validators: Validators? = nil, bodyHash: UInt64? = nil) -> FetchResult {
        let isFinal = status == 304 || (200..<300).contains(status)
        return FetchResult(
            outcome: outcome, status: status, finalURL: finalURL,
            permanentURL: headers.redirectsWerePermanent && isFinal ? finalURL : nil,
            validators: validators ?? request.validators, bodyHash: bodyHash, duration: ContinuousClock.now - started,
            maxAge: isFinal ? headers.maxAge : nil)
    }

    /// The result of a finished poll.
    private func classify(_ request: FetchRequest, code: Ending, detail: String, nextURL: String?) -> FetchResult {
        func result(_ outcome: FetchOutcome) -> FetchResult { self.result(of: request, outcome) }
        switch code {
        case .complete:
            return classifyResponse(request)
        case .bodyTooLarge:
            return result(.failed(.bodyTooLarge(limit: options.maximumBodySize)))
        case .writeRefused where bodyTooLarge:
            return result(.failed(.bodyTooLarge(limit: options.maximumBodySize)))
        case .writeRefused where overBudget:
            return result(.failed(.bodyOverBudget(limit: budget?.limit ?? 0)))
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
        case .headerTooLarge:
            return result(.failed(.headerTooLarge))
        case .certificate:
            return result(.failed(.certificate(CertificateProblem(verifyResult: verifyResult, message: detail), detail)))
        case .caFile:
            return result(.failed(.caFileUnusable(detail)))
        default:
            return result(.failed(.network(detail.isEmpty ? "transfer failed" : detail)))
        }
    }

    private func classifyResponse(_ request: FetchRequest) -> FetchResult {
        func result(_ outcome: FetchOutcome, validators: Validators? = nil, bodyHash: UInt64? = nil) -> FetchResult {
            self.result(of: request, outcome, validators: validators, bodyHash: bodyHash)
        }
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
            var fetched = FetchedBody(bytes: body, contentType: headers.contentType, charset: headers.charset)
            // The charge goes with the body: released when its last holder lets it go.
            fetched.charge = charge
            charge = nil
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

    // MARK: - POSTs

    private func postResult(_ outcome: PostResult.Outcome) -> PostResult {
        let delay = headers.retryAfter.flatMap {
            RetryAfter.delay($0, now: Int64(Self.unixNow()), maximum: options.maximumRetryAfter)
        }
        return PostResult(
            outcome: outcome, retryAfter: status > 0 ? delay : nil, responseBody: Array(body.prefix(PostResult.responseBodyPrefix)),
            duration: ContinuousClock.now - started)
    }

    /// The result of a finished POST: its status whenever a response came, even one whose body
    /// was cut off at the cap (what a POST is for is the status, and the body is discarded).
    private func classifyPost(code: Ending, detail: String) -> PostResult {
        switch code {
        case .complete where status > 0:
            return postResult(.responded(status: status))
        case .bodyTooLarge where status > 0, .writeRefused where bodyTooLarge && status > 0:
            return postResult(.responded(status: status))
        case .couldNotConnect where refusedAddress != nil:
            return postResult(.failed(.refusedAddress(refusedAddress ?? "")))
        case .certificate:
            return postResult(.failed(.certificate(CertificateProblem(verifyResult: verifyResult, message: detail), detail)))
        case .caFile:
            return postResult(.failed(.caFileUnusable(detail)))
        case .unsupportedProtocol:
            return postResult(.failed(.refusedScheme(url)))
        case .timeout:
            return postResult(.failed(.timeout))
        case .badURL:
            return postResult(.failed(.badURL(url)))
        default:
            return postResult(.failed(.network(detail.isEmpty ? "transfer failed" : detail)))
        }
    }

    /// clock_gettime(2) fails only for a clock the kernel lacks (EINVAL) or a bad pointer, and
    /// every Linux has CLOCK_REALTIME: a failure is a broken system, not a case to handle.
    private static func unixNow() -> Int {
        var now = timespec()
        guard clock_gettime(CLOCK_REALTIME, &now) == 0 else { preconditionFailure("clock_gettime(CLOCK_REALTIME) failed") }
        return now.tv_sec
    }
}
