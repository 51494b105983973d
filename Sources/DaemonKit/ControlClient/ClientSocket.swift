import SystemCalls
import CSystem  // owns <sys/socket.h>: SOCK_NONBLOCK, SOCK_CLOEXEC, MSG_NOSIGNAL are found through it
import Glibc

/// The blocking socket work of a ``ControlClient``: resolve, connect, send, read to the end,
/// every step bounded by one deadline. The descriptor is non-blocking; waits are poll(2).
enum ClientSocket {
    /// A descriptor connected to the first address of `host` that accepts, or why none did.
    /// Every address is tried in the resolver's order (`localhost` may give `::1` before
    /// 127.0.0.1); refusals by all of them mean ``ControlClientError/notRunning``.
    static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws(ControlClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0 else {
            // errno is read at once, before anything else can change it.
            let reason = code == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(code))
            throw .unreachable("cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }

        var refused = false
        var lastReason = "\(host) has no address"
        var entry = list
        while let address = entry?.pointee {
            entry = address.ai_next
            guard let socketAddress = address.ai_addr else { continue }
            switch try attempt(address, socketAddress, deadline: deadline) {
            case .connected(let fd): return fd
            case .refused: refused = true
            case .failed(let reason): lastReason = reason
            }
        }
        if refused { throw .notRunning }
        throw .unreachable(lastReason)
    }

    private enum Attempt {
        case connected(Int32)
        case refused
        case failed(String)
    }

    /// One address: connected, refused, or failed otherwise. Throws when no other address is
    /// worth trying: the deadline passed (``ControlClientError/timeout``), socket(2) failed.
    private static func attempt(
        _ address: addrinfo, _ socketAddress: UnsafeMutablePointer<sockaddr>, deadline: ContinuousClock.Instant
    ) throws(ControlClientError) -> Attempt {
        let fd: Int32
        do {
            fd = try SystemCall.check(
                socket(
                    address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                    address.ai_protocol),
                "socket")
        } catch {
            throw .unreachable("socket: \(error.message)")
        }
        do throws(SystemCallFailure) {
            try SystemCall.check(Glibc.connect(fd, socketAddress, address.ai_addrlen), "connect")
            return .connected(fd)
        } catch where error.code == EINPROGRESS {
            // Under way: judged below, once the socket is writable.
        } catch {
            SystemCall.close(fd)
            return error.code == ECONNREFUSED ? .refused : .failed("connect: \(error.message)")
        }
        var failure: Int32 = 0
        do {
            try wait(fd, for: POLLOUT, deadline: deadline)
            var length = socklen_t(MemoryLayout<Int32>.size)
            try SystemCall.check(getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length), "getsockopt(SO_ERROR)")
        } catch let error as ControlClientError {
            SystemCall.close(fd)
            throw error
        } catch let error as SystemCallFailure {
            SystemCall.close(fd)
            return .failed("\(error.call): \(error.message)")
        } catch {
            SystemCall.close(fd)
            return .failed("\(error)")
        }
        if failure == 0 { return .connected(fd) }
        SystemCall.close(fd)
        return failure == ECONNREFUSED ? .refused : .failed("connect: \(String(cString: strerror(failure)))")
    }

    /// Sends all of `bytes`. A peer that closed early (EPIPE, ECONNRESET: it may have answered
    /// before reading everything) ends the sending without an error: its answer is read next.
    static func send(_ fd: Int32, _ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(ControlClientError) {
        var offset = 0
        while offset < bytes.count {
            do throws(SystemCallFailure) {
                let sent = try SystemCall.check(
                    bytes.withUnsafeBytes { buffer in
                        Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
                    }, "send")
                offset += sent
            } catch {
                if error.interrupted { continue }
                if error.code == EPIPE || error.code == ECONNRESET { return }
                guard error.wouldBlock else { throw .unreachable("send: \(error.message)") }
                try wait(fd, for: POLLOUT, deadline: deadline)
            }
        }
    }

    /// Everything the peer sends until it closes the connection (a reset counts as the end),
    /// at most `limit` bytes.
    static func receiveAll(_ fd: Int32, limit: Int, deadline: ContinuousClock.Instant) throws(ControlClientError) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count: Int
            do throws(SystemCallFailure) {
                count = try SystemCall.check(buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }, "recv")
            } catch {
                if error.interrupted { continue }
                if error.code == ECONNRESET { return received }
                guard error.wouldBlock else { throw .unreachable("recv: \(error.message)") }
                try wait(fd, for: POLLIN, deadline: deadline)
                continue
            }
            if count == 0 { return received }
            received += buffer[0..<count]
            // A peer that trickles bytes is held to the deadline too.
            guard ContinuousClock.now < deadline else { throw .timeout }
            guard received.count <= limit else { throw .badResponse("the answer is longer than \(limit) bytes") }
        }
    }

    /// Waits until `events` (or an error or hang-up) may be handled on `fd`; throws
    /// ``ControlClientError/timeout`` once the deadline has passed.
    private static func wait(_ fd: Int32, for events: Int32, deadline: ContinuousClock.Instant) throws(ControlClientError) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw .timeout }
            let (seconds, attoseconds) = left.components
            // Rounded up, and at most a day a wait (the loop goes on after it).
            let milliseconds = Int32(min(seconds, 86_400) * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
            do {
                if try SystemCall.check(poll(&entry, 1, milliseconds), "poll") > 0 { return }
            } catch {
                guard error.interrupted else { throw .unreachable("poll: \(error.message)") }
            }
        }
    }
}
