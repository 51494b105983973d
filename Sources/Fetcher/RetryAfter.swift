import Glibc

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
enum RetryAfter {
    /// The delay `value` asks for, from `now` (Unix seconds), between zero and `maximum`; nil
    /// when the value is neither form.
    static func delay(_ value: String, now: Int64, maximum: Duration) -> Duration? {
        let text = value.trimmingOptionalWhitespace
        let seconds: Int64
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            seconds = Int64(text) ?? Int64.max  // digits too many for Int64: as long as allowed
        } else if let date = HTTPDate.parse(text, now: now) {
            seconds = date - now
        } else {
            return nil
        }
        guard seconds < Int64(maximum.components.seconds) else { return maximum }
        return .seconds(max(0, seconds))
    }

    /// Unix seconds of an HTTP date in any of its three forms (IMF-fixdate, RFC 850, asctime).
    static func httpDate(_ text: String) -> Int64? {
        HTTPDate.parse(text.trimmingOptionalWhitespace, now: Int64(time(nil)))
    }
}
