import Glibc

/// Which addresses a poll may connect to. Private, loopback, link-local and other non-public
/// ranges are refused unless allowed: a feed URL (or a redirect, or a DNS answer) must not turn
/// the hub into a probe of its own network.
///
/// Three levels: public addresses only (the default); private ones too (`--allow-private-
/// addresses`, for tests and hubs inside a private network) — but still never link-local
/// ranges or a cloud's metadata service (169.254.169.254 and its kin), which hold credentials;
/// or no check at all (a proxy carries the connections, or the operator's own sink). Ranges in
/// `allowed` (`--allow-address CIDR`) are permitted whatever the level.
public struct AddressPolicy: Sendable, Equatable {
    public var refusePrivate: Bool
    /// False: every address is permitted (the proxy or the caller checks).
    public var checked: Bool
    /// Ranges allowed even so.
    public var allowed: [AddressRange]

    /// `allowed` holds addresses or CIDR ranges as text (`127.0.0.2`, `10.0.0.0/8`, `::1`);
    /// entries that are neither are ignored (the command line refuses them first).
    public init(refusePrivate: Bool, allowed: Set<String> = [], checked: Bool = true) {
        self.refusePrivate = refusePrivate
        self.checked = checked
        self.allowed = allowed.sorted().compactMap { try? AddressRange(parsing: $0) }
    }

    /// Whether a connection to `bytes` (4 for IPv4, 16 for IPv6) may go ahead.
    public func permits(_ bytes: [UInt8]) -> Bool {
        guard checked else { return true }
        if allowed.contains(where: { $0.contains(bytes) }) { return true }
        if Self.isGuarded(bytes) { return false }
        guard refusePrivate else { return true }
        return !Self.isNonPublic(bytes)
    }

    /// Link-local ranges and clouds' metadata services: refused even when private addresses
    /// are allowed, unless a range of `allowed` names them. 169.254.0.0/16 holds the metadata
    /// service of AWS, GCP, Azure and others at 169.254.169.254; fe80::/10; AWS's IPv6 one at
    /// fd00:ec2::254; Alibaba's at 100.100.100.200; Oracle's at 192.0.0.192.
    public static func isGuarded(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 { return isGuardedIPv4(bytes[0], bytes[1], bytes[2], bytes[3]) }
        guard bytes.count == 16 else { return true }
        if let v4 = embeddedIPv4(bytes) { return isGuardedIPv4(v4.0, v4.1, v4.2, v4.3) }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10
        let awsMetadata: [UInt8] = [0xFD, 0, 0x0E, 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]
        return bytes == awsMetadata
    }

    static func isGuardedIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Bool {
        (a == 169 && b == 254) || (a == 100 && b == 100 && c == 100 && d == 200) || (a == 192 && b == 0 && c == 0 && d == 192)
    }

    /// The IPv4 address inside an IPv4-mapped, -compatible, -translated, NAT64 or 6to4 one.
    static func embeddedIPv4(_ bytes: [UInt8]) -> (UInt8, UInt8, UInt8, UInt8)? {
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && ((bytes[10] == 0xFF && bytes[11] == 0xFF) || (bytes[10] == 0 && bytes[11] == 0))
        let translated = bytes[0..<8].allSatisfy { $0 == 0 } && bytes[8] == 0xFF && bytes[9] == 0xFF && bytes[10] == 0 && bytes[11] == 0
        let nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B && bytes[4..<12].allSatisfy { $0 == 0 }
        if mapped || translated || nat64 { return (bytes[12], bytes[13], bytes[14], bytes[15]) }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return (bytes[2], bytes[3], bytes[4], bytes[5]) }  // 2002::/16 6to4
        return nil
    }

    /// The bytes of an IPv4 or IPv6 address written as text; nil when it is neither.
    public static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// True for addresses that are not on the public internet.
    public static func isNonPublic(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 { return isNonPublicIPv4(bytes[0], bytes[1], bytes[2], bytes[3]) }
        guard bytes.count == 16 else { return true }
        // Judge the IPv4 inside mapped, compatible, translated, NAT64 and 6to4 addresses.
        if let v4 = embeddedIPv4(bytes) { return isNonPublicIPv4(v4.0, v4.1, v4.2, v4.3) }
        if bytes[0] == 0xFC || bytes[0] == 0xFD { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return true }  // fec0::/10 site-local
        if bytes[0] == 0xFF { return true }  // multicast
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8 { return true }  // 2001:db8::/32
        return false
    }

    static func isNonPublicIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Bool {
        switch a {
        case 0, 10, 127: return true  // "this network", private, loopback
        case 100 where b & 0xC0 == 64: return true  // 100.64/10 carrier-grade NAT
        case 169 where b == 254: return true  // link-local (and cloud metadata at 169.254.169.254)
        case 172 where b & 0xF0 == 16: return true  // 172.16/12
        case 192 where b == 168: return true  // 192.168/16
        case 192 where b == 0 && (c == 0 || c == 2): return true  // 192.0.0/24, TEST-NET-1
        case 192 where b == 88 && c == 99: return true  // 6to4 relay anycast
        case 198 where b & 0xFE == 18: return true  // 198.18/15 benchmarking
        case 198 where b == 51 && c == 100, 203 where b == 0 && c == 113: return true  // TEST-NET-2, -3
        case 224...255: return true  // multicast, reserved, broadcast
        default: return false
        }
    }

    /// The address as `inet_ntop` writes it (`127.0.0.1`, `::1`).
    public static func text(_ bytes: [UInt8]) -> String {
        guard bytes.count == 4 || bytes.count == 16 else { return "?" }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { address in
            inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, address.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
