import Foundation
import Glibc

/// An AF_UNIX datagram socket standing in for systemd's notification socket: bound to a path
/// in a temp directory, or to an abstract name.
final class DatagramSink {
    let fd: Int32
    /// The `NOTIFY_SOCKET` value that reaches this socket.
    let notifySocket: String
    private let directory: String?

    /// A socket at `DIR/notify` in a fresh temp directory.
    convenience init() throws {
        let directory = try TemporaryDirectory.make(prefix: "notify")
        try self.init(notifySocket: "\(directory)/notify", directory: directory)
    }

    /// A socket in the abstract namespace, `@name`.
    convenience init(abstractName name: String) throws {
        try self.init(notifySocket: "@" + name, directory: nil)
    }

    private init(notifySocket: String, directory: String?) throws {
        self.notifySocket = notifySocket
        self.directory = directory
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestClientError.system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let abstract = notifySocket.hasPrefix("@")
        let bytes: [UInt8] = abstract ? [0] + Array(notifySocket.utf8.dropFirst()) : Array(notifySocket.utf8) + [0]
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        // A throw still runs `deinit` (every stored property is set), which closes `fd`.
        guard bound == 0 else { throw TestClientError.system("bind \(notifySocket)", errno) }
    }

    deinit {
        close(fd)
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The next datagram as text, or nil when none arrives within `timeout`.
    func next(within timeout: Duration = .seconds(2)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count >= 0 { return String(decoding: buffer[0..<count], as: UTF8.self) }
            guard errno == EAGAIN || errno == EINTR else { throw TestClientError.system("recv", errno) }
            guard ContinuousClock.now < deadline else { return nil }
            // Not Task.sleep: its wake-up needs the cooperative pool (see TestConnection).
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 2)
            await Task.yield()
        }
    }

    /// Every datagram that arrives within `duration`.
    func collect(for duration: Duration) async throws -> [String] {
        let deadline = ContinuousClock.now + duration
        var received: [String] = []
        while ContinuousClock.now < deadline {
            if let datagram = try await next(within: ContinuousClock.now.duration(to: deadline)) { received.append(datagram) }
        }
        return received
    }
}

enum TemporaryDirectory {
    /// A new directory under the temp directory, `PREFIX-XXXXXX`.
    static func make(prefix: String) throws -> String {
        var template = Array("\(NSTemporaryDirectory())/dk-\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestClientError.system("mkdtemp", errno) }
        return String(cString: made)
    }
}
