extension Duration {
    /// This duration in whole nanoseconds (toward zero), saturating at Int64's range.
    var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow || overflowAgain { return seconds < 0 ? .min : .max }
        return sum
    }
}

extension Int64 {
    /// `self + other`, saturating at Int64's range instead of trapping.
    func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other < 0 ? .min : .max) : sum
    }
}

/// Instants as Int64 nanoseconds since the first instant the scheduler was shown: 8 bytes
/// instead of a `ContinuousClock.Instant`'s 16, and plain integer comparisons in the heap.
struct ClockOrigin: Sendable {
    private var origin: ContinuousClock.Instant?

    /// Nanoseconds from the origin to `instant`, fixing the origin at `instant` on first use.
    mutating func nanoseconds(at instant: ContinuousClock.Instant) -> Int64 {
        guard let origin else {
            origin = instant
            return 0
        }
        return (instant - origin).saturatingNanoseconds
    }

    /// The instant `nanoseconds` after the origin. Only called for stored times, which exist
    /// only once `nanoseconds(at:)` has fixed the origin.
    func instant(at nanoseconds: Int64) -> ContinuousClock.Instant {
        guard let origin else { preconditionFailure("ClockOrigin: no instant seen yet") }
        return origin.advanced(by: .nanoseconds(nanoseconds))
    }
}
