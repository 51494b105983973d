/// What one poll of a feed found; decides the feed's next due time.
public enum PollVerdict: Sendable, Equatable {
    /// 304 Not Modified.
    case notModified
    /// 2xx with the same body hash, or a document without new entries.
    case unchanged
    /// A document with this many new entries.
    case changed(newEntries: Int)
    /// A document read whose news could not be told (the store could not be asked): the
    /// feed's interval stays as it is — an outage of the store must not look like news and
    /// shorten every feed's interval.
    case undetermined
    /// A network, HTTP or parse error: exponential backoff.
    case failed
    /// 429 or 503: wait at least `retryAfter`; without one, back off as after `failed`.
    case throttled(retryAfter: Duration?)
    /// Not polled, for a reason that is not the feed's (its host was busy or is backed off):
    /// due again after `retryAfter`, jittered; its interval and error count stay as they are.
    case deferred(retryAfter: Duration)
    /// 410 Gone: the feed is never due again (until the feeds file drops and re-adds it, or
    /// changes its URL).
    case gone

    /// Whether the poll reached the feed and read it (or learnt it is unmodified).
    var isSuccess: Bool {
        switch self {
        case .notModified, .unchanged, .changed, .undetermined: true
        case .failed, .throttled, .gone, .deferred: false
        }
    }
}
