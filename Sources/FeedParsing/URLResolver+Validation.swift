/// The checks and tables behind ``URLResolver``: the references and bases that Python's
/// `urlsplit` refuses, and the schemes `urljoin` treats as hierarchical.
extension URLResolver {
    // MARK: - urlsplit's ValueError cases

    /// Unbalanced brackets, or a bracketed host that is neither IPv6 nor `v…` IPvFuture.
    static func checkBrackets(_ netloc: ArraySlice<UInt8>) throws(InvalidURL) {
        let open = netloc.firstIndex(of: UInt8(ascii: "["))
        let hasClose = netloc.contains(UInt8(ascii: "]"))
        guard let open else {
            if hasClose { throw InvalidURL() }
            return
        }
        guard hasClose else { throw InvalidURL() }
        let inner = netloc[(open + 1)...]
        let host = inner[..<(inner.firstIndex(of: UInt8(ascii: "]")) ?? inner.endIndex)]
        if host.first == UInt8(ascii: "v") {
            // `\Av[0-9A-Fa-f]+\..+\Z`
            let hex = host.dropFirst().prefix(while: isHexDigit)
            guard !hex.isEmpty, hex.endIndex < host.endIndex, host[hex.endIndex] == UInt8(ascii: "."),
                hex.endIndex + 1 < host.endIndex
            else { throw InvalidURL() }
        } else if !isIPv6Address(host) {
            throw InvalidURL()
        }
    }

    /// Python's `ipaddress.IPv6Address` syntax: eight hextets, one `::`, an optional dotted IPv4
    /// tail and an optional non-empty `%scope`.
    static func isIPv6Address(_ text: ArraySlice<UInt8>) -> Bool {
        var address = text
        if let percent = text.firstIndex(of: UInt8(ascii: "%")) {
            let scope = text[(percent + 1)...]
            if scope.isEmpty || scope.contains(UInt8(ascii: "%")) { return false }
            address = text[..<percent]
        }
        var parts = address.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return false }
        if parts[parts.count - 1].contains(UInt8(ascii: ".")) {
            guard isIPv4Address(parts.removeLast()) else { return false }
            let zero: ArraySlice<UInt8> = [0x30]
            parts += [zero, zero]  // stands for the two hextets the dotted quad fills
        }
        guard parts.count <= 9 else { return false }
        var skip: Int?
        for i in 1..<(parts.count - 1) where parts[i].isEmpty {
            if skip != nil { return false }
            skip = i
        }
        if let skip {
            var high = skip
            var low = parts.count - skip - 1
            if parts[0].isEmpty { high -= 1; if high != 0 { return false } }
            if parts[parts.count - 1].isEmpty { low -= 1; if low != 0 { return false } }
            if 8 - (high + low) < 1 { return false }
            return parts[..<skip].dropFirst(parts[0].isEmpty ? 1 : 0).allSatisfy(isHextet)
                && parts[(skip + 1)...].dropLast(parts[parts.count - 1].isEmpty ? 1 : 0).allSatisfy(isHextet)
        }
        return parts.count == 8 && parts.allSatisfy(isHextet)
    }

    static func isHextet(_ part: ArraySlice<UInt8>) -> Bool {
        (1...4).contains(part.count) && part.allSatisfy(isHexDigit)
    }

    /// Python's strict dotted quad: four decimal octets ≤ 255, no leading zeros.
    static func isIPv4Address(_ text: ArraySlice<UInt8>) -> Bool {
        let octets = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            guard (1...3).contains(octet.count), octet.allSatisfy({ (0x30...0x39).contains($0) }),
                octet.count == 1 || octet.first != 0x30
            else { return false }
            return octet.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 255
        }
    }

    /// A non-ASCII host whose NFKC form holds `/?#@:` (`\u{2100}` is `a/c`) is refused.
    static func checkNFKC(_ netloc: ArraySlice<UInt8>) throws(InvalidURL) {
        guard netloc.contains(where: { $0 >= 0x80 }) else { return }
        let stripped = netloc.filter { $0 != 0x40 && $0 != 0x3A && $0 != 0x23 && $0 != 0x3F }
        let normalized = String(decoding: stripped, as: UTF8.self).precomposedStringWithCompatibilityMapping
        if normalized.utf8.contains(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 || $0 == 0x40 || $0 == 0x3A }) {
            throw InvalidURL()
        }
    }

    // MARK: - Scheme tables (CPython 3.11 urllib.parse)

    /// Which of `urllib.parse`'s `uses_relative`, `uses_netloc` and `uses_params` hold a scheme.
    struct SchemeFlags: OptionSet {
        let rawValue: UInt8
        static let relative = SchemeFlags(rawValue: 1)
        static let netloc = SchemeFlags(rawValue: 2)
        static let params = SchemeFlags(rawValue: 4)
    }

    static func flags(of scheme: [UInt8]) -> SchemeFlags {
        schemeTable[String(decoding: scheme, as: UTF8.self)] ?? []
    }

    static let schemeTable: [String: SchemeFlags] = [
        "": [.relative, .netloc, .params], "ftp": [.relative, .netloc, .params],
        "http": [.relative, .netloc, .params], "https": [.relative, .netloc, .params],
        "shttp": [.relative, .netloc, .params], "imap": [.relative, .netloc, .params],
        "mms": [.relative, .netloc, .params], "prospero": [.relative, .netloc, .params],
        "rtsp": [.relative, .netloc, .params], "rtsps": [.relative, .netloc, .params],
        "rtspu": [.relative, .netloc, .params], "sftp": [.relative, .netloc, .params],
        "gopher": [.relative, .netloc], "nntp": [.relative, .netloc], "wais": [.relative, .netloc],
        "file": [.relative, .netloc], "svn": [.relative, .netloc], "svn+ssh": [.relative, .netloc],
        "ws": [.relative, .netloc], "wss": [.relative, .netloc],
        "telnet": [.netloc], "snews": [.netloc], "rsync": [.netloc], "nfs": [.netloc],
        "git": [.netloc], "git+ssh": [.netloc],
        "hdl": [.params], "sip": [.params], "sips": [.params], "tel": [.params],
    ]

    static func isTabOrNewline(_ b: UInt8) -> Bool { b == 0x09 || b == 0x0A || b == 0x0D }
    static func isASCIILetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
    static func isASCIIAlphanumeric(_ b: UInt8) -> Bool { isASCIILetter(b) || (0x30...0x39).contains(b) }
    static func isHexDigit(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
    }
}
