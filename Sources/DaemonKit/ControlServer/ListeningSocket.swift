import Glibc

/// Opens the non-blocking listening socket of a ``ControlServer``.
enum ListeningSocket {
    /// Binds and listens on `address`; returns the descriptor and the port bound (the
    /// kernel's choice when `port` is 0).
    static func open(_ address: ListeningAddress, host: String, port: Int) throws(ControlServerError) -> (fd: Int32, port: Int) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .systemCallFailed(call: "socket", errno: errno) }
        do throws(ControlServerError) {
            var one: Int32 = 1
            // SO_REUSEADDR: a restart may bind while old connections sit in TIME_WAIT. On
            // Linux it does not let two listeners share the port.
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw .systemCallFailed(call: "setsockopt(SO_REUSEADDR)", errno: errno)
            }
            if case .v6 = address {
                guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                    throw .systemCallFailed(call: "setsockopt(IPV6_V6ONLY)", errno: errno)
                }
            }
            let bound = address.withSocketAddress { bind(fd, $0, $1) }
            guard bound == 0 else {
                switch errno {
                case EADDRINUSE: throw .addressInUse(host: host, port: port)
                case EACCES: throw .permissionDenied(host: host, port: port)
                case EADDRNOTAVAIL: throw .addressNotAvailable(host: host)
                case let code: throw .systemCallFailed(call: "bind", errno: code)
                }
            }
            guard listen(fd, 128) == 0 else {
                if errno == EADDRINUSE { throw .addressInUse(host: host, port: port) }
                throw .systemCallFailed(call: "listen", errno: errno)
            }
            return (fd, try boundPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    private static func boundPort(_ fd: Int32) throws(ControlServerError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw .systemCallFailed(call: "getsockname", errno: errno) }
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
