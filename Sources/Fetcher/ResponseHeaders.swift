/// The headers a poll needs, collected line by line as libcurl hands them over, for each
/// response of a redirect chain.
struct ResponseHeaders {
    /// The status of every response seen, in order (redirect hops, then the final one).
    private(set) var statuses: [Int] = []
    /// Headers of the latest response.
    private(set) var etag: String?
    private(set) var lastModified: String?
    private(set) var contentType: String?
    private(set) var retryAfter: String?
    /// Every `Cache-Control` line of the latest response, joined with commas.
    private(set) var cacheControl: String?

    /// Takes one header line (with its CRLF, as libcurl gives it).
    mutating func take(_ line: UnsafeBufferPointer<UInt8>) {
        if line.count > 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/")
        {
            statuses.append(Self.statusCode(line))
            etag = nil
            lastModified = nil
            contentType = nil
            retryAfter = nil
            cacheControl = nil
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = UnsafeBufferPointer(rebasing: line[..<colon])
        if Self.equalsIgnoringCase(name, "etag") {
            etag = Self.value(line, after: colon)
        } else if Self.equalsIgnoringCase(name, "last-modified") {
            lastModified = Self.value(line, after: colon)
        } else if Self.equalsIgnoringCase(name, "content-type") {
            contentType = Self.value(line, after: colon)
        } else if Self.equalsIgnoringCase(name, "retry-after") {
            retryAfter = Self.value(line, after: colon)
        } else if Self.equalsIgnoringCase(name, "cache-control") {
            let value = Self.value(line, after: colon)
            cacheControl = cacheControl.map { "\($0), \(value)" } ?? value
        }
    }

    /// Whether every redirect before the final response was permanent (301 or 308), and
    /// there was at least one.
    var redirectsWerePermanent: Bool {
        let hops = statuses.dropLast().filter { (300..<400).contains($0) }
        return !hops.isEmpty && hops.allSatisfy { $0 == 301 || $0 == 308 }
    }

    /// The `charset` parameter of the Content-Type, unquoted.
    var charset: String? {
        guard let contentType else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingOptionalWhitespace.lowercased() == "charset" else { continue }
            let value = parts[1].trimmingOptionalWhitespace
            return value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? String(value.dropFirst().dropLast()) : value
        }
        return nil
    }

    /// How long the response may be reused, from `Cache-Control: max-age=N`; nil without
    /// one, or with `no-cache` or `no-store` anywhere in the header. `s-maxage` (for shared
    /// caches) is not read.
    var maxAge: Duration? { cacheControl.flatMap(Self.maxAge(cacheControl:)) }

    /// The longest max-age honoured: 2^31 seconds, as RFC 9111 §1.2.2 tells caches to read a
    /// larger delta.
    static let maximumMaxAge: Int64 = 1 << 31

    /// `max-age` of a `Cache-Control` value (see ``maxAge``); the first one counts.
    static func maxAge(cacheControl: String) -> Duration? {
        var found: Duration?
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1)
            guard let first = parts.first else { continue }
            let name = first.trimmingOptionalWhitespace.lowercased()
            if name == "no-cache" || name == "no-store" { return nil }
            guard name == "max-age", found == nil, parts.count == 2 else { continue }
            var value = Substring(parts[1].trimmingOptionalWhitespace)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            guard !value.isEmpty, value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { continue }
            found = .seconds(min(Int64(value) ?? Self.maximumMaxAge, Self.maximumMaxAge))
        }
        return found
    }

    private static func statusCode(_ line: UnsafeBufferPointer<UInt8>) -> Int {
        // "HTTP/1.1 200 OK" or "HTTP/2 200"
        guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return 0 }
        var code = 0
        var index = space + 1
        while index < line.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[index]), code < 1000 {
            code = code * 10 + Int(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        return code
    }

    private static func value(_ line: UnsafeBufferPointer<UInt8>, after colon: Int) -> String {
        var start = colon + 1
        var end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x0D || line[end - 1] == 0x0A || line[end - 1] == 0x20 || line[end - 1] == 0x09 {
            end -= 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] | 0x20 { return false }
        return true
    }
}
