import Glibc

/// Where `NOTIFY_SOCKET` says systemd listens: an AF_UNIX datagram socket at a path, or in
/// the abstract namespace when the variable starts with `@`.
public enum NotifySocketAddress: Sendable, Hashable, CustomStringConvertible {
    case path(String)
    /// The name without the leading `@` (on the wire: a NUL byte, then the name).
    case abstract(String)

    /// Parses the variable's value; nil when empty, too long for `sun_path`, or of a kind not
    /// spoken here (`vsock:…`, systemd 254+ for VMs).
    public init?(_ value: String) {
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        if value.hasPrefix("/") {
            guard value.utf8.count < capacity, !value.utf8.contains(0) else { return nil }
            self = .path(value)
        } else if value.hasPrefix("@") {
            let name = String(value.dropFirst())
            guard !name.isEmpty, name.utf8.count < capacity else { return nil }
            self = .abstract(name)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .path(let path): path
        case .abstract(let name): "@" + name
        }
    }

    /// Calls `body` with the `sockaddr_un` and the length to pass to sendto(2): a path
    /// includes its terminating NUL, an abstract name does not (its bytes are the whole name).
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let (bytes, length): ([UInt8], Int) =
            switch self {
            case .path(let path): (Array(path.utf8) + [0], pathOffset + path.utf8.count + 1)
            case .abstract(let name): ([0] + Array(name.utf8), pathOffset + 1 + name.utf8.count)
            }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(length)) }
        }
    }
}
