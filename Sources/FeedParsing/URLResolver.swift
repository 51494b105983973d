import Foundation

/// Resolves relative references (RFC 3986 §5.2) the way Python's feedparser resolves entry links.
///
/// feedparser joins with its `_urljoin`: a fix-up that drops extra slashes after `scheme://`, then
/// `urllib.parse.urljoin` (CPython 3.11). This is a by-hand port of that pair over UTF-8 bytes,
/// so results can be compared with feedparser's. Where `urljoin` departs from RFC 3986 the port
/// follows `urljoin`:
/// - `http:g` against an `http` base is resolved (`http://a/b/c/g`), the RFC's non-strict reading;
/// - a reference whose scheme differs from the base's, or whose scheme is not one `urljoin`
///   resolves against (`mailto:`, `javascript:`, `data:`, …), comes back unchanged: entry links
///   keep every scheme, unsafe ones included (feedparser filters schemes only for bases and for
///   links inside HTML content);
/// - an empty query or fragment (`g?`, `g#`) is dropped, and `;params` (empty ones dropped too)
///   are split off the last segment only for the schemes `urlparse` gives params to;
/// - empty segments of a merged relative path collapse (`g//h` → `http://a/b/c/g/h`);
/// - tab, CR and LF inside a reference are removed when it is rebuilt;
/// - a reference or base with an invalid bracketed host (`http://[::1`, `http://[1.2.3.4]/`)
///   resolves to the empty string, as `urljoin`'s `ValueError` does in feedparser.
///
/// The base is used as given: a relative base yields a relative result, and an empty or nil base
/// returns the reference itself (trimmed and slash-fixed).
enum URLResolver {
    /// `reference` made absolute against `base`; `reference` itself (trimmed) when there is no base.
    ///
    /// Surrounding white space and C0 control characters are trimmed from the reference first. An
    /// empty (or all-blank) reference resolves to `base` itself, as in RFC 3986 and `urljoin`;
    /// callers that mirror feedparser's element-text links (RSS `<link></link>`) should keep an
    /// empty link empty instead of calling this.
    static func resolve(_ reference: String, against base: String?) -> String {
        let ref = droppingSlashesAfterAuthorityMarker(trimmed(reference))
        guard let base, !base.isEmpty else { return ref }
        if ref.isEmpty { return base }
        if withUTF8(ref, isVerbatimHTTPReference) && withUTF8(base, cannotMakeURLSplitRaise) { return ref }
        return join(base: Array(base.utf8), reference: ref)
    }

    /// The scheme of `url`, lowercased, when it starts with one (`scheme:`); nil for a relative
    /// reference. Follows `urlsplit`: the first `:` ends the scheme, which must start with a letter.
    static func scheme(of url: String) -> String? {
        var rest = Array(url.utf8)[...]
        while let first = rest.first, first <= 0x20 { rest = rest.dropFirst() }
        return splitScheme(&rest).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - Trimming and the fast path

    private static func withUTF8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    /// `s` without surrounding white space (Unicode `White_Space`) and C0 controls; `s`
    /// itself, uncopied, when it has none.
    private static func trimmed(_ s: String) -> String {
        let clean = withUTF8(s) { u in
            guard let first = u.first, let last = u.last else { return true }
            return first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80
        }
        if clean { return s }
        func blank(_ u: Unicode.Scalar) -> Bool { u.value <= 0x20 || u.properties.isWhitespace }
        let scalars = s.unicodeScalars
        guard let start = scalars.firstIndex(where: { !blank($0) }),
            let end = scalars.lastIndex(where: { !blank($0) })
        else { return "" }
        if start == s.startIndex && scalars.index(after: end) == s.endIndex { return s }
        return String(s[start...end])
    }

    /// feedparser's `_urifixer`: `^[A-Za-z][A-Za-z0-9+,-.]*://` followed by slashes loses the
    /// slashes (`http:///x` → `http://x`). Note its character class also admits a comma.
    private static func droppingSlashesAfterAuthorityMarker(_ s: String) -> String {
        let cut: (Int, Int)? = withUTF8(s) { u in
            guard let first = u.first, isASCIILetter(first) else { return nil }
            var i = 1
            while i < u.count, isASCIIAlphanumeric(u[i]) || (0x2B...0x2E).contains(u[i]) { i += 1 }
            let slash = UInt8(ascii: "/")
            guard i + 3 < u.count, u[i] == UInt8(ascii: ":"), u[i + 1] == slash, u[i + 2] == slash,
                u[i + 3] == slash
            else { return nil }
            var end = i + 3
            while end < u.count, u[end] == slash { end += 1 }
            return (i + 3, end)
        }
        guard let (from, to) = cut else { return s }
        let u = s.utf8
        return String(s[..<u.index(u.startIndex, offsetBy: from)]) + s[u.index(u.startIndex, offsetBy: to)...]
    }

    /// Whether `urljoin` would hand `ref` back unchanged whatever the (valid) base: a lowercase
    /// `http://` or `https://` URL with a non-empty ASCII, bracket-free host, no tab/CR/LF, and
    /// no empty query, fragment or trailing `;` (empty params) that rebuilding would drop.
    private static func isVerbatimHTTPReference(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
        guard u.count > 8, u[0] == UInt8(ascii: "h"), u[1] == UInt8(ascii: "t"),
            u[2] == UInt8(ascii: "t"), u[3] == UInt8(ascii: "p")
        else { return false }
        let hostStart: Int
        if u[4] == colon && u[5] == slash && u[6] == slash {
            hostStart = 7
        } else if u[4] == UInt8(ascii: "s") && u[5] == colon && u[6] == slash && u[7] == slash {
            hostStart = 8
        } else {
            return false
        }
        var i = hostStart
        while i < u.count {
            let byte = u[i]
            if byte == slash || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            if byte <= 0x20 || byte >= 0x80 || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") {
                return false
            }
            i += 1
        }
        if i == hostStart { return false }
        var queryAt = -1
        var hashAt = -1
        while i < u.count {
            let byte = u[i]
            if byte <= 0x0D {
                if isTabOrNewline(byte) { return false }
            } else if byte == UInt8(ascii: "#") {
                if hashAt < 0 { hashAt = i }
            } else if byte == UInt8(ascii: "?") {
                if hashAt < 0 && queryAt < 0 { queryAt = i }
            }
            i += 1
        }
        let mainEnd = hashAt >= 0 ? hashAt : u.count
        let pathEnd = queryAt >= 0 ? queryAt : mainEnd
        return hashAt != u.count - 1 && queryAt != mainEnd - 1 && u[pathEnd - 1] != UInt8(ascii: ";")
    }

    /// A base that is ASCII and has no brackets cannot make `urlsplit` raise.
    private static func cannotMakeURLSplitRaise(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        !u.contains { $0 >= 0x80 || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") }
    }

    // MARK: - urljoin

    /// A `urlparse` result; the scheme is lowercased, the rest are slices of the cleaned input.
    private struct Parts {
        var scheme: [UInt8]
        var flags: SchemeFlags
        var netloc: ArraySlice<UInt8> = []
        var path: ArraySlice<UInt8> = []
        var params: ArraySlice<UInt8> = []
        var query: ArraySlice<UInt8> = []
        var fragment: ArraySlice<UInt8> = []
    }

    /// Raised where `urlsplit` raises `ValueError`; feedparser then yields the empty string.
    struct InvalidURL: Error {}

    private static func join(base: [UInt8], reference: String) -> String {
        let b: Parts
        var r: Parts
        do {
            b = try parse(base, defaultScheme: ([], flags(of: [])))
            r = try parse(Array(reference.utf8), defaultScheme: (b.scheme, b.flags))
        } catch {
            return ""
        }
        if r.scheme != b.scheme || !r.flags.contains(.relative) { return reference }
        if r.flags.contains(.netloc) {
            if !r.netloc.isEmpty { return unparse(r) }
            r.netloc = b.netloc
        }
        if r.path.isEmpty && r.params.isEmpty {
            r.path = b.path
            r.params = b.params
            if r.query.isEmpty { r.query = b.query }
            return unparse(r)
        }
        let slash = UInt8(ascii: "/")
        var segments: [ArraySlice<UInt8>]
        if r.path.first == slash {
            segments = r.path.split(separator: slash, omittingEmptySubsequences: false)
        } else {
            segments = b.path.split(separator: slash, omittingEmptySubsequences: false)
            if !segments[segments.count - 1].isEmpty { segments.removeLast() }
            segments += r.path.split(separator: slash, omittingEmptySubsequences: false)
            if segments.count > 2 {
                // urljoin drops empty inner segments of a merged path (`g//h` → `g/h`).
                let middle = segments[1..<(segments.count - 1)].filter { !$0.isEmpty }
                segments.replaceSubrange(1..<(segments.count - 1), with: middle)
            }
        }
        var resolved: [ArraySlice<UInt8>] = []
        resolved.reserveCapacity(segments.count + 1)
        for segment in segments {
            if isDotDot(segment) {
                if !resolved.isEmpty { resolved.removeLast() }
            } else if !isDot(segment) {
                resolved.append(segment)
            }
        }
        if let last = segments.last, isDot(last) || isDotDot(last) { resolved.append([]) }
        var path: [UInt8] = []
        path.reserveCapacity(base.count + r.path.count)
        for (i, segment) in resolved.enumerated() {
            if i > 0 { path.append(slash) }
            path += segment
        }
        r.path = path.isEmpty ? [slash] : path[...]
        return unparse(r)
    }

    private static func isDot(_ s: ArraySlice<UInt8>) -> Bool { s.count == 1 && s.first == 0x2E }
    private static func isDotDot(_ s: ArraySlice<UInt8>) -> Bool {
        s.count == 2 && s.first == 0x2E && s.last == 0x2E
    }

    /// `urlparse(url, scheme=defaultScheme)`.
    private static func parse(
        _ input: [UInt8], defaultScheme: ([UInt8], SchemeFlags)
    ) throws(InvalidURL) -> Parts {
        var bytes = input
        if bytes.contains(where: isTabOrNewline) { bytes.removeAll(where: isTabOrNewline) }
        var rest = bytes[...]
        while let first = rest.first, first <= 0x20 { rest = rest.dropFirst() }
        var parts = Parts(scheme: defaultScheme.0, flags: defaultScheme.1)
        if let scheme = splitScheme(&rest) {
            parts.scheme = scheme
            parts.flags = flags(of: scheme)
        }
        if rest.starts(with: "//".utf8) {
            let hostStart = rest.startIndex + 2
            let hostEnd = rest[hostStart...].firstIndex { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 } ?? rest.endIndex
            parts.netloc = rest[hostStart..<hostEnd]
            rest = rest[hostEnd...]
            try checkBrackets(parts.netloc)
        }
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            parts.fragment = rest[(hash + 1)...]
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: UInt8(ascii: "?")) {
            parts.query = rest[(question + 1)...]
            rest = rest[..<question]
        }
        try checkNFKC(parts.netloc)
        parts.path = rest
        let semicolon = UInt8(ascii: ";")
        if parts.flags.contains(.params), rest.contains(semicolon) {
            // Params are split off the last segment only.
            let from = rest.lastIndex(of: UInt8(ascii: "/")) ?? rest.startIndex
            if let i = rest[from...].firstIndex(of: semicolon) {
                parts.path = rest[..<i]
                parts.params = rest[(i + 1)...]
            }
        }
        return parts
    }

    /// Splits a leading `scheme:` off `rest` (lowercased), as `urlsplit` recognises one.
    private static func splitScheme(_ rest: inout ArraySlice<UInt8>) -> [UInt8]? {
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")), colon > rest.startIndex,
            isASCIILetter(rest[rest.startIndex]),
            rest[..<colon].allSatisfy({ isASCIIAlphanumeric($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return nil }
        let scheme = rest[..<colon].map { $0 | (isASCIILetter($0) ? 0x20 : 0) }
        rest = rest[(colon + 1)...]
        return scheme
    }

    /// `urlunparse`: empty params, query and fragment are left out with their delimiters.
    private static func unparse(_ p: Parts) -> String {
        let slash = UInt8(ascii: "/")
        var out: [UInt8] = []
        out.reserveCapacity(
            p.scheme.count + p.netloc.count + p.path.count + p.params.count + p.query.count
                + p.fragment.count + 8)
        if !p.scheme.isEmpty {
            out += p.scheme
            out.append(UInt8(ascii: ":"))
        }
        if !p.netloc.isEmpty || (!p.scheme.isEmpty && p.flags.contains(.netloc) && !p.path.starts(with: "//".utf8)) {
            out += [slash, slash]
            out += p.netloc
            let first = p.path.first ?? (p.params.isEmpty ? nil : UInt8(ascii: ";"))
            if let first, first != slash { out.append(slash) }
        }
        out += p.path
        if !p.params.isEmpty {
            out.append(UInt8(ascii: ";"))
            out += p.params
        }
        if !p.query.isEmpty {
            out.append(UInt8(ascii: "?"))
            out += p.query
        }
        if !p.fragment.isEmpty {
            out.append(UInt8(ascii: "#"))
            out += p.fragment
        }
        return String(decoding: out, as: UTF8.self)
    }
}
