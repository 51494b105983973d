/// The outcome labels of `hubdiffer_polls_total{outcome}` as one-byte codes, for the
/// scheduler's per-feed `LastPoll` (a million feeds keep a byte each, not a string). Codes
/// are handed out as labels are first seen; 0 is "none".
struct OutcomeCodes: Sendable {
    private var labels: [String] = []
    private var codes: [String: UInt8] = [:]

    /// The label's code (a new one the first time; the labels are a few dozen at most).
    mutating func code(_ label: String) -> UInt8 {
        if let code = codes[label] { return code }
        guard labels.count < Int(UInt8.max) else { return 0 }
        labels.append(label)
        let code = UInt8(labels.count)
        codes[label] = code
        return code
    }

    /// The label of `code`; nil for 0 or an unknown code.
    func label(_ code: UInt8) -> String? {
        code == 0 || Int(code) > labels.count ? nil : labels[Int(code) - 1]
    }
}
