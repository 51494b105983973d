/// What to fetch, and what the last poll left to make the request conditional.
public struct FetchRequest: Sendable, Equatable {
    /// An `http` or `https` URL; any other scheme is refused before a connection is made.
    public var url: String
    /// The validators the last response gave (sent back verbatim, weak ETags included).
    public var validators: Validators
    /// XXH3-64 of the last body: a 200 with the same body is ``FetchOutcome/unchanged``.
    public var bodyHash: UInt64?
    /// How long the whole transfer may take; nil: ``FetcherOptions/totalTimeout``. A poll that
    /// waited for its turn passes what is left of its deadline.
    public var timeout: Duration?

    public init(url: String, validators: Validators = Validators(), bodyHash: UInt64? = nil, timeout: Duration? = nil) {
        self.url = url
        self.validators = validators
        self.bodyHash = bodyHash
        self.timeout = timeout
    }
}

/// A response's cache validators: sent back as `If-None-Match` and `If-Modified-Since`.
public struct Validators: Sendable, Equatable {
    /// The `ETag` exactly as the server sent it (`W/"…"` included).
    public var etag: String?
    /// The `Last-Modified` exactly as the server sent it.
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// A changed body and what the response said of it.
public struct FetchedBody: Sendable, Equatable {
    /// The body, decoded from any `Content-Encoding`.
    public var bytes: [UInt8]
    /// The `Content-Type` header, verbatim.
    public var contentType: String?
    /// The `charset` parameter of `Content-Type`, if any (for the parser's encoding detection).
    public var charset: String?
    /// The bytes held against the fetcher's ``BodyBudget``, given back when the last copy of
    /// this body is released (nil without a budget). Not part of equality.
    public var charge: BodyCharge?

    public init(bytes: [UInt8], contentType: String? = nil, charset: String? = nil) {
        self.bytes = bytes
        self.contentType = contentType
        self.charset = charset
    }

    public static func == (left: FetchedBody, right: FetchedBody) -> Bool {
        left.bytes == right.bytes && left.contentType == right.contentType && left.charset == right.charset
    }
}

/// What a poll found.
public enum FetchOutcome: Sendable, Equatable {
    /// 304 Not Modified.
    case notModified
    /// A 2xx whose body hashes to the stored ``FetchRequest/bodyHash``: nothing to parse.
    case unchanged
    /// A 2xx with a new body.
    case changed(FetchedBody)
    /// 410 Gone: the feed is over; stop polling it.
    case gone
    /// 429 or 503: come back later; `retryAfter` from `Retry-After` (seconds or an HTTP date),
    /// capped by ``FetcherOptions/maximumRetryAfter``; nil when the server gave none.
    case throttled(retryAfter: Duration?)
    /// Anything else: refused, too large, timed out, a network error, another HTTP status.
    case failed(FetchFailure)
}

/// Why a fetch failed, in words an operator can act on.
public enum FetchFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL (or a redirect) used a scheme other than http and https.
    case refusedScheme(String)
    /// The address connected to is private, loopback or link-local, and those are refused.
    case refusedAddress(String)
    /// The body grew past the cap; the transfer was aborted (never truncated).
    case bodyTooLarge(limit: Int)
    /// More redirects than allowed (a loop, usually).
    case tooManyRedirects(limit: Int)
    /// No complete response within the total timeout.
    case timeout
    /// An HTTP status that is neither success, 304, 410, 429 nor 503.
    case http(status: Int)
    /// The URL could not be used at all.
    case badURL(String)
    /// A response header line past libcurl's limit (100 KB: `CURL_MAX_HTTP_HEADER`), which
    /// libcurl reports as "Out of memory".
    case headerTooLarge
    /// The server's TLS certificate was refused (never a fall-back to unverified TLS), with
    /// libcurl's words.
    case certificate(CertificateProblem, String)
    /// The CA file cannot be read or holds no certificate.
    case caFileUnusable(String)
    /// No connection to the host came free before the deadline (the fetcher's other transfers
    /// to it held them all): nothing was sent.
    case hostBusy(waited: Duration)
    /// The body alone needs more than the whole body budget (``BodyBudget``): refused.
    case bodyOverBudget(limit: Int)
    /// DNS, connection, TLS or protocol failure, with libcurl's words.
    case network(String)
    /// The task that asked for it was cancelled (the daemon is stopping): the transfer was
    /// removed from libcurl, or never started.
    case cancelled

    public var description: String {
        switch self {
        case .refusedScheme(let url): "refused: only http and https are fetched (\(url))"
        case .refusedAddress(let address):
            if let bytes = AddressPolicy.bytes(of: address), AddressPolicy.isGuarded(bytes) {
                "refused: \(address) is link-local or a cloud's metadata service, refused even with --allow-private-addresses (name it with --allow-address to fetch it)"
            } else {
                "refused: \(address) is a private or loopback address (pass --allow-private-addresses, or --allow-address for one range, to fetch it)"
            }
        case .bodyTooLarge(let limit): "aborted: the body is larger than the \(limit)-byte cap"
        case .tooManyRedirects(let limit): "stopped after \(limit) redirects (a redirect loop?)"
        case .timeout: "timed out before the response was complete"
        case .http(let status): "HTTP \(status)"
        case .badURL(let url): "not a URL that can be fetched: \(url)"
        case .headerTooLarge: "refused: a response header line is over libcurl's 100 KB limit (the server sends a giant header)"
        case .certificate(let problem, let detail): "TLS certificate refused (\(problem.words)): \(detail)"
        case .caFileUnusable(let detail): "the CA file cannot be used (check --ca-file): \(detail)"
        case .hostBusy(let waited):
            "not sent: its host's connections were all busy for \(waited.components.seconds) s, the whole deadline"
        case .bodyOverBudget(let limit):
            "refused: the body needs more than the whole \(limit)-byte budget for bodies in flight (raise --body-budget)"
        case .network(let why): why
        case .cancelled: "cancelled: the poll was stopped"
        }
    }
}

/// Why a server's certificate was refused.
public enum CertificateProblem: String, Sendable, Equatable, CaseIterable {
    case expired, notYetValid = "not_yet_valid", hostName = "host_name", unknownIssuer = "unknown_issuer"
    case selfSigned = "self_signed", other

    /// The problem behind OpenSSL's verification result (`X509_V_ERR_*`, from
    /// `CURLINFO_SSL_VERIFYRESULT`) and libcurl's message: libcurl 7.88 checks the host name
    /// itself ("no alternative certificate subject name matches target host name"), after
    /// OpenSSL's chain check, so only its message tells.
    init(verifyResult: Int, message: String) {
        if message.contains("subject name") || message.contains("does not match target host") {
            self = .hostName
            return
        }
        switch verifyResult {
        case 10: self = .expired  // X509_V_ERR_CERT_HAS_EXPIRED
        case 9: self = .notYetValid  // X509_V_ERR_CERT_NOT_YET_VALID
        case 18, 19: self = .selfSigned  // DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN
        case 2, 20, 21: self = .unknownIssuer  // UNABLE_TO_GET_ISSUER_CERT(_LOCALLY), UNABLE_TO_VERIFY_LEAF_SIGNATURE
        case 62, 64: self = .hostName  // HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH
        default: self = .other
        }
    }

    /// In words, for the log line.
    public var words: String {
        switch self {
        case .expired: "expired"
        case .notYetValid: "not yet valid"
        case .hostName: "issued for another host name"
        case .unknownIssuer: "issued by an unknown CA (pass --ca-file for a private one)"
        case .selfSigned: "self-signed"
        case .other: "not verified"
        }
    }
}

/// The result of one poll.
public struct FetchResult: Sendable, Equatable {
    public var outcome: FetchOutcome
    /// The final HTTP status; 0 when there was no response.
    public var status: Int
    /// The URL of the final response (after redirects).
    public var finalURL: String
    /// Set when every redirect on the way was permanent (301/308): the URL to poll from now on.
    /// Temporary redirects (302/307) are followed but never reported here.
    public var permanentURL: String?
    /// The validators to keep for the next poll: those of this response, or the request's
    /// when the response sent none (a 304 may omit them).
    public var validators: Validators
    /// XXH3-64 of the body, for 2xx responses.
    public var bodyHash: UInt64?
    /// How long the transfer took.
    public var duration: Duration
    /// How long the response may be reused, from `Cache-Control: max-age=N` of a 2xx or a 304
    /// (at most 2^31 s); nil without one, and with `no-cache` or `no-store`. `s-maxage` is
    /// not read: it is for shared caches.
    public var maxAge: Duration?

    public init(
        outcome: FetchOutcome, status: Int = 0, finalURL: String, permanentURL: String? = nil,
        validators: Validators = Validators(), bodyHash: UInt64? = nil, duration: Duration = .zero, maxAge: Duration? = nil
    ) {
        self.outcome = outcome
        self.status = status
        self.finalURL = finalURL
        self.permanentURL = permanentURL
        self.validators = validators
        self.bodyHash = bodyHash
        self.duration = duration
        self.maxAge = maxAge
    }
}

/// A POST (what the daemon's HTTP sink sends): one body, no redirects followed, the same
/// scheme and address rules as a poll.
public struct PostRequest: Sendable, Equatable {
    /// The most response-body bytes read; a longer response is cut off there (its status
    /// still counts). The body is not kept beyond ``PostResult/responseBodyPrefix`` bytes.
    public static let maximumResponseSize = 64 << 10

    /// An `http` or `https` URL; any other scheme is refused before a connection is made.
    public var url: String
    /// The request body, sent as is.
    public var body: [UInt8]
    /// The `Content-Type` header.
    public var contentType: String
    /// More headers, sent in this order (names and values without CR, LF or NUL).
    public var headers: [HTTPHeader]
    /// How long the whole POST may take, connecting included (the connect timeout of the
    /// ``FetcherOptions`` also applies).
    public var timeout: Duration

    public init(url: String, body: [UInt8], contentType: String, headers: [HTTPHeader] = [], timeout: Duration = .seconds(30)) {
        self.url = url
        self.body = body
        self.contentType = contentType
        self.headers = headers
        self.timeout = timeout
    }
}

/// One request header.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether the header can be sent as one line: a token for a name, no line break or NUL
    /// in the value.
    var isValid: Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
            && !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }
}

/// How a POST ended.
public struct PostResult: Sendable, Equatable {
    /// How many bytes of the response body ``responseBody`` keeps.
    public static let responseBodyPrefix = 1024

    public enum Outcome: Sendable, Equatable {
        /// The server answered with this status (any: 2xx, 3xx — never followed —, 4xx, 5xx).
        case responded(status: Int)
        /// No response: refused before sending, or a network failure or timeout.
        case failed(FetchFailure)
    }

    public var outcome: Outcome
    /// `Retry-After` of the response (seconds or an HTTP date), capped by
    /// ``FetcherOptions/maximumRetryAfter``; nil when the response had none.
    public var retryAfter: Duration?
    /// The first ``responseBodyPrefix`` bytes of the response body (for error messages).
    public var responseBody: [UInt8]
    /// How long the POST took.
    public var duration: Duration

    public init(outcome: Outcome, retryAfter: Duration? = nil, responseBody: [UInt8] = [], duration: Duration = .zero) {
        self.outcome = outcome
        self.retryAfter = retryAfter
        self.responseBody = responseBody
        self.duration = duration
    }

    /// The response's status; 0 when there was none.
    public var status: Int {
        if case .responded(let status) = outcome { return status }
        return 0
    }
}
