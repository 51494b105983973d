/// Spreads the first due times of new feeds evenly over their interval.
///
/// The k-th offset is the fractional part of `start + k·φ` (φ the golden ratio), the additive
/// low-discrepancy sequence: any run of consecutive feeds covers the interval almost exactly
/// evenly (100,000 feeds over 60 s give 1,667 ± a few per second), where independent uniform
/// draws would scatter by ±√n and clump.
struct GoldenSpread: Sendable {
    /// The fraction in 64-bit fixed point.
    private var phase: UInt64

    init(start: UInt64) { phase = start }

    /// The next fraction of the interval, in [0, 1).
    mutating func nextFraction() -> Double {
        phase &+= 0x9E37_79B9_7F4A_7C15  // 2^64 / φ
        return Double(phase >> 11) * 0x1.0p-53
    }
}
