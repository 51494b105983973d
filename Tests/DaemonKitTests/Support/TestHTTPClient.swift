import Foundation
import Glibc

/// A raw HTTP/1.1 client over a real loopback socket, byte by byte under the test's control
/// (slow clients, broken requests). Waiting is `poll(2)` for at most 2 ms and then a yield to
/// the thread's other tasks: never `Task.sleep`, whose wake-up needs a thread of the cooperative
/// pool (which a loaded parallel run may not give for seconds), and never long enough to hold
/// up the pool when a test runs there.
final class TestConnection {
    let fd: Int32

    /// Connects to `host:port` (IPv4), waiting at most `timeout`.
    init(port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(5)) async throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestClientError.system("socket", errno) }
        // From here on a throw still runs `deinit` (every stored property is set), which closes
        // `fd`: closing it here too would close whatever another thread opened in between.
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            guard errno == EINPROGRESS else { throw TestClientError.system("connect", errno) }
            let deadline = ContinuousClock.now + timeout
            while !ready(Int16(POLLOUT)) {
                guard ContinuousClock.now < deadline else { throw TestClientError.timedOut("connecting to \(host):\(port)") }
                await wait(for: Int16(POLLOUT))
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard failure == 0 else { throw TestClientError.system("connect", failure) }
        }
    }

    deinit { close(fd) }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                guard errno == EAGAIN || errno == EINTR else { throw TestClientError.system("send", errno) }
                await wait(for: Int16(POLLOUT))
                continue
            }
            offset += sent
        }
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Reads until the server closes its side; throws after `timeout` (a deadline for a broken
    /// server, generous for a loaded machine: the server's handlers run on the cooperative pool).
    func readUntilClosed(timeout: Duration = .seconds(20)) async throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
                continue
            }
            if count == 0 { return received }
            guard errno == EAGAIN || errno == EINTR else {
                if errno == ECONNRESET { return received }
                throw TestClientError.system("recv", errno)
            }
            guard ContinuousClock.now < deadline else {
                throw TestClientError.timedOut("reading (got \(received.count) bytes: \(String(decoding: received.prefix(200), as: UTF8.self)))")
            }
            await wait(for: Int16(POLLIN))
        }
    }

    /// Reads until `bytes` holds `marker`; returns everything read.
    func read(until marker: String, timeout: Duration = .seconds(20)) async throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var byte: UInt8 = 0
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = recv(fd, &byte, 1, 0)
            if count == 1 {
                received.append(byte)
                continue
            }
            if count == 0 { throw TestClientError.closed(String(decoding: received, as: UTF8.self)) }
            guard ContinuousClock.now < deadline else { throw TestClientError.timedOut("waiting for \(marker.debugDescription)") }
            await wait(for: Int16(POLLIN))
        }
        return received
    }

    /// Waits until `events` may have happened (at most 2 ms, in poll(2)), then lets the other
    /// tasks of this thread run.
    private func wait(for events: Int16) async {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        _ = poll(&entry, 1, 2)
        await Task.yield()
    }

    private func ready(_ events: Int16) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}

/// A response as the test client saw it.
struct TestHTTPResponse {
    var status: Int
    /// Header fields, names lower-cased (the last one wins).
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }

    /// Parses a whole response; nil when there is no status line and blank line.
    init?(_ raw: [UInt8]) {
        let text = String(decoding: raw, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { return nil }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = Array(text[end.upperBound...].utf8)
    }
}

enum TestHTTP {
    /// Sends `request` on a new connection and reads the response to the end.
    static func exchange(port: Int, _ request: String) async throws -> TestHTTPResponse {
        let connection = try await TestConnection(port: port)
        try await connection.send(request)
        let raw = try await connection.readUntilClosed()
        guard let response = TestHTTPResponse(raw) else { throw TestClientError.badResponse(String(decoding: raw, as: UTF8.self)) }
        return response
    }

    /// `GET path` with the server's `Host` (`127.0.0.1:port`) and nothing else.
    static func get(port: Int, _ path: String) async throws -> TestHTTPResponse {
        try await exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
    }
}

enum TestClientError: Error, CustomStringConvertible {
    case system(String, Int32)
    case timedOut(String)
    case closed(String)
    case badResponse(String)

    var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .timedOut(let what): "timed out \(what)"
        case .closed(let read): "closed by the server after \(read.debugDescription)"
        case .badResponse(let raw): "not an HTTP response: \(raw.debugDescription)"
        }
    }
}
