import Foundation
import Glibc
import Synchronization

/// A host that hangs: it accepts every connection on a loopback port and never reads or
/// answers, holding the sockets open until stopped (or released).
public final class SilentServer: Sendable {
    /// The port it listens on, at 127.0.0.1.
    public let port: Int
    private let listener: Int32
    /// Accepted connections, kept open; nil once stopped.
    private let held = Connections()

    private final class Connections: Sendable {
        let list = Mutex<[Int32]?>([])
        func withLock<T>(_ body: (inout [Int32]?) -> T) -> T { list.withLock { body(&$0) } }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    public var accepted: Int { held.withLock { $0?.count ?? 0 } }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SilentServerError.socket(errno) }
        var address = Loopback.address(host: "127.0.0.1", port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 4096) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw SilentServerError.socket(errno)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [held, listener] in
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                let kept = held.withLock { list -> Bool in
                    guard list != nil else { return false }
                    list?.append(connection)
                    return true
                }
                if !kept { close(connection) }
            }
        }
        thread.name = "silent-server"
        thread.start()
    }

    /// Closes every connection and the listener.
    public func stop() {
        let connections = held.withLock { list -> [Int32] in
            defer { list = nil }
            return list ?? []
        }
        for connection in connections { close(connection) }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit {
        stop()
        close(listener)
    }
}

public enum SilentServerError: Error {
    case socket(Int32)
}
