import SystemCalls
import Glibc

/// Why a ``ControlServer`` could not start.
public enum ControlServerError: Error, Equatable, CustomStringConvertible {
    /// The host is not an IPv4 or IPv6 address (names other than `localhost` are not
    /// resolved), or the port is outside 0…65535.
    case invalidAddress(host: String, port: Int)
    /// The address is not a loopback one and `allowNonLoopback` was not given: the endpoint
    /// has no authentication.
    case nonLoopbackAddress(host: String)
    /// Something else listens on the address already.
    case addressInUse(host: String, port: Int)
    /// The process may not bind there (a port below 1024 without the capability).
    case permissionDenied(host: String, port: Int)
    /// No interface has this address (e.g. `::1` with IPv6 disabled).
    case addressNotAvailable(host: String)
    /// A socket call failed otherwise: which one, and `errno`.
    case systemCallFailed(call: String, errno: Int32)
    /// `start()` was called before: a server starts once; make a new one.
    case alreadyStarted
    /// A name allowed in `Host` is not a host name or `HOST:PORT`.
    case invalidHostName(String)

    public var description: String {
        switch self {
        case .invalidAddress(let host, let port):
            "cannot listen on \(host):\(port): not an IPv4/IPv6 address and port (host names are not resolved)"
        case .nonLoopbackAddress(let host):
            "refusing to listen on \(host): the control endpoint has no authentication, so it only binds loopback addresses (127.0.0.1, ::1) unless allowNonLoopback is set"
        case .addressInUse(let host, let port):
            "cannot listen on \(host):\(port): the address is already in use (another hubdiffer, or another program, listens there); stop it (`ss -ltnp 'sport = :\(port)'` shows which) or configure another control port"
        case .permissionDenied(let host, let port):
            "cannot listen on \(host):\(port): permission denied (ports below 1024 need CAP_NET_BIND_SERVICE); use a higher port"
        case .addressNotAvailable(let host):
            "cannot listen on \(host): no interface has this address"
        case .systemCallFailed(let call, let code):
            "control endpoint: \(call) failed: \(String(cString: strerror(code)))"
        case .alreadyStarted:
            "this control server was started before; a server starts once"
        case .invalidHostName(let name):
            "control-host: \(ControlHostPolicy.nameProblem(name) ?? name)"
        }
    }
}

extension ControlServerError {
    /// A socket call that failed otherwise: ``systemCallFailed(call:errno:)``.
    init(_ failure: SystemCallFailure) {
        self = .systemCallFailed(call: failure.call, errno: failure.code)
    }
}
