import SystemCalls
import CSystem  // owns <sys/socket.h>: SOCK_NONBLOCK, SOCK_CLOEXEC, MSG_* are found through it
import Glibc

/// Opens the non-blocking listening socket of a ``ControlServer``.
enum ListeningSocket {
    /// Binds and listens on `address`; returns the descriptor and the port bound (the
    /// kernel's choice when `port` is 0).
    static func open(_ address: ListeningAddress, host: String, port: Int) throws(ControlServerError) -> (fd: Int32, port: Int) {
        let fd: Int32
        do {
            fd = try SystemCall.check(
                socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0),
                "socket")
        } catch {
            throw ControlServerError(error)
        }
        do throws(SystemCallFailure) {
            var one: Int32 = 1
            // SO_REUSEADDR: a restart may bind while old connections sit in TIME_WAIT. On
            // Linux it does not let two listeners share the port.
            try SystemCall.check(
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)), "setsockopt(SO_REUSEADDR)")
            if case .v6 = address {
                try SystemCall.check(
                    setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)), "setsockopt(IPV6_V6ONLY)")
            }
            try SystemCall.check(address.withSocketAddress { bind(fd, $0, $1) }, "bind")
            try SystemCall.check(listen(fd, 512), "listen")
            return (fd, try boundPort(fd))
        } catch {
            SystemCall.close(fd)
            // These three come from bind(2) (EADDRINUSE from listen(2) too); no other call
            // here returns them.
            switch error.code {
            case EADDRINUSE: throw .addressInUse(host: host, port: port)
            case EACCES: throw .permissionDenied(host: host, port: port)
            case EADDRNOTAVAIL: throw .addressNotAvailable(host: host)
            default: throw ControlServerError(error)
            }
        }
    }

    private static func boundPort(_ fd: Int32) throws(SystemCallFailure) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        try SystemCall.check(named, "getsockname")
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        }
    }
}
