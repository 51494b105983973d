import Glibc

/// Why a notification did not reach systemd.
public enum SystemdNotifyError: Error, Equatable, CustomStringConvertible {
    /// socket(2) failed: `errno`.
    case cannotOpenSocket(errno: Int32)
    /// sendto(2) failed (systemd gone, its queue full…): the address and `errno`.
    case sendFailed(address: NotifySocketAddress, errno: Int32)

    public var description: String {
        switch self {
        case .cannotOpenSocket(let code):
            "cannot open a socket to notify systemd: \(String(cString: strerror(code)))"
        case .sendFailed(let address, let code):
            "cannot notify systemd at \(address): \(String(cString: strerror(code)))"
        }
    }
}
