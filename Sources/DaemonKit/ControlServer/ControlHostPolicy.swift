/// Which `Host` and `Origin` a ``ControlServer`` answers: the defence against DNS rebinding
/// (a page whose name was made to resolve to 127.0.0.1 reads `/metrics`) and against a page
/// in a local browser posting to `/ping`. Allowed hosts are the bound address (as written, with
/// or without the port), `localhost`, `127.0.0.1` and `[::1]` when bound to loopback, and the
/// configured names (`control-host`: a name without a port allows any port).
///
/// A request must have a `Host` (HTTP/1.1) naming an allowed host, else 400 or 421. A request
/// that may change something (any method but GET, HEAD and OPTIONS) and carries an `Origin`
/// must come from an allowed host and port, else 403; requests without `Origin` (curl,
/// publishers) pass.
struct ControlHostPolicy: Sendable {
    /// A host, lower-case, IPv6 literals in brackets, and a port: nil for any.
    struct Allowed: Equatable, Sendable {
        var host: String
        var port: Int?
    }

    /// What a request was refused for, and the answer.
    struct Refusal: Error, Equatable {
        enum Kind: Equatable { case host, origin }
        var kind: Kind
        var rejection: HTTPRequestRejection
    }

    let allowed: [Allowed]

    /// The hosts allowed for a server bound to `boundHost` (as written) on `boundPort`, with the
    /// configured `names` (each `name` or `name:port`; one with a ``nameProblem(_:)`` is left out).
    init(boundHost: String, boundPort: Int, isLoopback: Bool, names: [String]) {
        var allowed = [Allowed(host: Self.normalized(boundHost), port: boundPort)]
        if isLoopback {
            allowed += ["localhost", "127.0.0.1", "[::1]"].map { Allowed(host: $0, port: boundPort) }
        }
        allowed += names.compactMap { Self.authority($0[...]) }
        self.allowed = allowed
    }

    /// Why `name` cannot be a `control-host` (nil when it can): a host name or address,
    /// optionally with `:port`, without a scheme or path.
    static func nameProblem(_ name: String) -> String? {
        authority(name[...]) == nil
            ? "\(name.debugDescription) is not a host name or HOST:PORT (no scheme, no path), as in hubdiffer.example.com"
            : nil
    }

    /// Nil when `head` may be served; else why not.
    func refusal(for head: HTTPRequestHead) -> Refusal? {
        let hosts = head.headers.values("Host")
        switch hosts.count {
        case 0 where head.minorVersion == 0:
            break  // HTTP/1.0 need not say; Origin is still checked below
        case 0:
            return Refusal(kind: .host, rejection: .init(status: 400, reason: "an HTTP/1.1 request needs a Host header"))
        case 1:
            guard let host = Self.authority(hosts[0][...]), allows(host, exactPort: false) else {
                return Refusal(
                    kind: .host,
                    rejection: .init(status: 421, reason: "Host \(hosts[0].debugDescription) is not this endpoint's (see control-host)"))
            }
        default:
            return Refusal(kind: .host, rejection: .init(status: 400, reason: "more than one Host header"))
        }
        guard ![.get, .head, .options].contains(head.method), let origin = head.headers.values("Origin").first else { return nil }
        if let authority = Self.originAuthority(origin), allows(authority, exactPort: true) { return nil }
        return Refusal(
            kind: .origin,
            rejection: .init(status: 403, reason: "\(head.method) from Origin \(origin.debugDescription) is refused: not this endpoint's"))
    }

    /// Whether `authority` is allowed. A `Host` without a port matches any entry of its host;
    /// an `Origin` always has a port (its scheme's by default), which must be the entry's.
    private func allows(_ authority: Allowed, exactPort: Bool) -> Bool {
        allowed.contains { entry in
            guard entry.host == authority.host else { return false }
            guard let port = entry.port else { return true }
            return authority.port == port || (!exactPort && authority.port == nil)
        }
    }

    // MARK: - Parsing

    /// `host`, `host:port`, `[v6]` or `[v6]:port`, lower-cased; nil for anything else.
    static func authority(_ text: Substring) -> Allowed? {
        let text = text.lowercased()
        var host: Substring
        var rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[...close]
            rest = text[text.index(after: close)...]
            guard host.count > 2, host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            rest = text[colon...]
        } else {
            host = text[...]
            rest = ""
        }
        let hostByte = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
        guard !host.isEmpty, host.hasPrefix("[") || host.utf8.allSatisfy(hostByte) else { return nil }
        var port: Int?
        if !rest.isEmpty {
            let digits = rest.dropFirst()
            guard rest.first == ":", (1...5).contains(digits.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(digits), number <= 65_535
            else { return nil }
            port = number
        }
        return Allowed(host: String(host), port: port)
    }

    /// An `Origin` (`scheme://host[:port]`) as host and port, the scheme's port when none is
    /// written; nil for `null` and anything unreadable.
    static func originAuthority(_ origin: String) -> Allowed? {
        guard let separator = origin.range(of: "://") else { return nil }
        let scheme = origin[..<separator.lowerBound].lowercased()
        guard var authority = authority(origin[separator.upperBound...]) else { return nil }
        if authority.port == nil {
            switch scheme {
            case "http": authority.port = 80
            case "https": authority.port = 443
            default: return nil
            }
        }
        return authority
    }

    /// A host as written to `init`: lower-case, an IPv6 literal in brackets.
    private static func normalized(_ host: String) -> String {
        let lower = host.lowercased()
        return lower.contains(":") && !lower.hasPrefix("[") ? "[\(lower)]" : lower
    }
}
