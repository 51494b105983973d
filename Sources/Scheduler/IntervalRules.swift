/// The arithmetic of next due times, on nanoseconds, from a `SchedulePolicy`. Pure: the
/// randomness comes in as `unit`, a uniform number in [0, 1).
///
/// - Success on an adaptive feed: `changed` halves the interval, `unchanged`/`notModified`
///   multiply it by 1.25, `undetermined` keeps it; then the publisher's ttl and max-age are a floor, and the result is
///   clamped to [minimumInterval, maximumInterval]. That becomes the feed's interval.
/// - Success on a pinned feed: the interval stays; the floor and clamp shape this one delay.
/// - The delay is the interval times 1 ± jitter, clamped again to [minimum, maximum], and
///   never under the publisher's floor.
/// - The n-th consecutive error (`failed`, or `throttled` without Retry-After) waits
///   min(maximumBackoff, interval × 2^n), times 1 ± jitter, still capped.
/// - Retry-After d waits max(d, minimumInterval), times 1 + jitter·unit (only ever later),
///   capped at maximumBackoff.
struct IntervalRules: Sendable {
    let defaultInterval: Int64
    let minimumInterval: Int64
    let maximumInterval: Int64
    let maximumBackoff: Int64
    let jitter: Double
    let redirectsToAdopt: Int

    /// Rules from `policy`, made consistent: intervals at least 1 ms, maximum ≥ minimum, jitter
    /// in 0...0.5, at least one redirect to adopt.
    init(_ policy: SchedulePolicy) {
        let millisecond: Int64 = 1_000_000
        minimumInterval = max(millisecond, policy.minimumInterval.saturatingNanoseconds)
        maximumInterval = max(minimumInterval, policy.maximumInterval.saturatingNanoseconds)
        maximumBackoff = max(millisecond, policy.maximumBackoff.saturatingNanoseconds)
        let jitter = policy.jitter.isNaN ? 0 : policy.jitter
        self.jitter = min(0.5, max(0, jitter))
        redirectsToAdopt = max(1, policy.redirectsToAdopt)
        defaultInterval = min(
            maximumInterval, max(minimumInterval, policy.defaultInterval.saturatingNanoseconds))
    }

    /// `interval` clamped to [minimumInterval, maximumInterval].
    func clamped(_ interval: Int64) -> Int64 { min(maximumInterval, max(minimumInterval, interval)) }

    /// A new feed's interval: its pinned one (clamped) or the default.
    func initialInterval(pinned: Duration?) -> Int64 {
        pinned.map { clamped($0.saturatingNanoseconds) } ?? defaultInterval
    }

    /// How long the publisher asked to be left alone: the larger of ttl and max-age, at most
    /// maximumInterval; 0 when neither was given.
    func publisherFloor(_ hints: PollHints) -> Int64 {
        let ttl = hints.ttl?.saturatingNanoseconds ?? 0
        let maxAge = hints.maxAge?.saturatingNanoseconds ?? 0
        return min(maximumInterval, max(0, ttl, maxAge))
    }

    /// An adaptive feed's next interval after a successful poll.
    func adaptedInterval(_ interval: Int64, after verdict: PollVerdict, hints: PollHints) -> Int64 {
        let adapted: Int64
        switch verdict {
        case .changed: adapted = interval / 2
        case .unchanged, .notModified: adapted = Int64(min(Double(Int64.max / 2), Double(interval) * 1.25))
        case .undetermined, .failed, .throttled, .gone, .deferred: adapted = interval
        }
        return clamped(max(adapted, publisherFloor(hints)))
    }

    /// The delay before the next poll after a successful one, for a feed whose interval
    /// (already adapted, if adaptive) is `interval`.
    func successDelay(interval: Int64, hints: PollHints, unit: Double) -> Int64 {
        let floor = publisherFloor(hints)
        let base = clamped(max(interval, floor))
        return max(floor, clamped(scaled(base, by: 1 + jitter * (2 * unit - 1))))
    }

    /// The delay after the `errors`-th consecutive error (1 for the first).
    func backoffDelay(interval: Int64, errors: Int, unit: Double) -> Int64 {
        let exponent = Double(min(max(errors, 0), 62))
        let capped = min(Double(maximumBackoff), Double(interval) * Double.pow2(exponent))
        return min(maximumBackoff, scaled(Int64(capped), by: 1 + jitter * (2 * unit - 1)))
    }

    /// The delay after a 429/503 that asked for `retryAfter`.
    func retryAfterDelay(_ retryAfter: Duration, unit: Double) -> Int64 {
        let base = max(retryAfter.saturatingNanoseconds, minimumInterval)
        return min(maximumBackoff, scaled(base, by: 1 + jitter * unit))
    }

    /// The offset of a new feed's first due time: `fraction` of its interval.
    func firstDueOffset(interval: Int64, fraction: Double) -> Int64 { scaled(interval, by: fraction) }

    private func scaled(_ value: Int64, by factor: Double) -> Int64 {
        let product = Double(value) * factor
        return product >= Double(Int64.max) ? .max : Int64(product)
    }
}

extension Double {
    /// 2^exponent for a small whole exponent.
    fileprivate static func pow2(_ exponent: Double) -> Double {
        Double(sign: .plus, exponent: Int(exponent), significand: 1)
    }
}
