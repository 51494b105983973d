import SystemCalls
import CSystem
import Glibc
import Logging

/// The poll(2) loop of a ``ControlServer``: accepts connections, reads requests, starts each
/// handler in a task, writes the answers. Made and used on the server's own thread only; the
/// other threads reach it through the ``ControlMailbox``.
final class ControlConnectionLoop {
    private let listenFD: Int32
    private let mailbox: ControlMailbox
    private let routes: ControlRoutes
    private let hosts: ControlHostPolicy
    private let limits: ControlServerLimits
    /// Connections at once: ``ControlServerLimits/connectionCap(descriptorLimit:)``.
    private let connectionCap: Int
    private let logger: Logger
    private let warnings: ControlWarnings
    private let clock = ContinuousClock()

    private var connections: [UInt64: ControlConnection] = [:]
    private var nextID: UInt64 = 0
    /// Set after accept(2) ran out of descriptors or memory: no accepting until then.
    private var acceptPausedUntil: ContinuousClock.Instant?
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)

    /// How long a lingering connection may keep sending before it is closed.
    static let lingerTimeout: Duration = .seconds(2)
    /// How much a lingering connection may send before it is closed.
    static let lingerBytes = 1 << 20
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    init(
        listenFD: Int32, mailbox: ControlMailbox, routes: ControlRoutes, hosts: ControlHostPolicy, limits: ControlServerLimits,
        connectionCap: Int, logger: Logger
    ) {
        self.listenFD = listenFD
        self.mailbox = mailbox
        self.routes = routes
        self.hosts = hosts
        self.limits = limits
        self.connectionCap = connectionCap
        self.logger = logger
        warnings = ControlWarnings(logger: logger, interval: limits.warningInterval)
    }

    /// Runs until ``ControlMailbox/requestStop()``; then closes every connection and the
    /// listening socket.
    func run() {
        defer {
            for connection in connections.values { SystemCall.close(connection.fd) }
            connections.removeAll()
            SystemCall.close(listenFD)
            mailbox.loopEnded()
        }
        var pollSet: [pollfd] = []
        var polledIDs: [UInt64] = []
        while true {
            let now = clock.now
            expireDeadlines(now)
            if let paused = acceptPausedUntil, now >= paused { acceptPausedUntil = nil }

            pollSet.removeAll(keepingCapacity: true)
            polledIDs.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: mailbox.wakeFD, events: Int16(POLLIN), revents: 0))
            // A negative descriptor is skipped by poll(2).
            pollSet.append(pollfd(fd: acceptPausedUntil == nil ? listenFD : -1, events: Int16(POLLIN), revents: 0))
            for connection in connections.values {
                let events: Int32 =
                    switch connection.phase {
                    case .reading, .lingering: Int32(POLLIN)
                    case .writing: Int32(POLLOUT)
                    case .handling: 0
                    }
                pollSet.append(pollfd(fd: connection.fd, events: Int16(events), revents: 0))
                polledIDs.append(connection.id)
            }

            do {
                try SystemCall.check(poll(&pollSet, nfds_t(pollSet.count), timeoutMilliseconds(now)), "poll")
            } catch {
                if !error.interrupted {
                    logger.error("control endpoint: poll failed: \(error.message)")
                    usleep(10_000)  // an interrupted sleep is only shorter
                }
                continue
            }
            if pollSet[0].revents != 0 {
                let inbox = mailbox.take()
                if inbox.stopping { return }
                for (id, response) in inbox.responses {
                    guard let connection = connections[id], connection.phase == .handling else { continue }  // timed out
                    respond(connection, response)
                }
            }
            if pollSet[1].revents != 0 { acceptConnections() }
            for (offset, id) in polledIDs.enumerated() where pollSet[offset + 2].revents != 0 {
                guard let connection = connections[id] else { continue }
                service(connection, revents: Int32(pollSet[offset + 2].revents))
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        for _ in 0..<64 {
            // Non-blocking and close-on-exec from the start (accept4(2), through the CSystem shim).
            let fd: Int32
            do {
                fd = try SystemCall.check(hd_accept4_nonblocking_cloexec(listenFD), "accept4")
            } catch {
                switch error.code {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("control endpoint: cannot accept connections (\(error.message)); pausing for 100 ms")
                    acceptPausedUntil = clock.now + .milliseconds(100)
                    return
                default:
                    logger.error("control endpoint: accept failed: \(error.message)")
                    return
                }
            }
            guard connections.count < connectionCap else {
                // Best effort: one non-blocking send, then close. A client whose socket cannot
                // take the 503 at once sees the connection closed, which says as much.
                let refusal = ControlResponse.text("too many connections to the control endpoint", status: 503)
                    .serialized(headOnly: false)
                do {
                    try SystemCall.check(
                        refusal.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }, "send")
                } catch {
                    logger.debug("control endpoint: the 503 for one connection too many was not sent: \(error.message)")
                }
                SystemCall.close(fd)
                warnings.warn(.connectionLimit, "\(connectionCap) connections at once; refused one with 503")
                continue
            }
            nextID += 1
            let now = clock.now
            // Until its head has come; then until the whole request has (``processInput``).
            connections[nextID] = ControlConnection(
                id: nextID, fd: fd, acceptedAt: now, deadline: now + min(limits.headTimeout, limits.requestTimeout))
        }
    }

    // MARK: - Serving one connection

    private func service(_ connection: ControlConnection, revents: Int32) {
        switch connection.phase {
        case .reading: readRequest(connection)
        case .writing: writeResponse(connection)
        case .lingering: discardInput(connection)
        case .handling:
            // Polled for nothing: only an error or hang-up shows here. The answer is dropped
            // when it comes.
            if revents & Int32(POLLERR | POLLHUP | POLLNVAL) != 0 { closeConnection(connection) }
        }
    }

    private func readRequest(_ connection: ControlConnection) {
        guard let count = receive(connection) else { return }
        if count == 0 {
            // The client shut its side down before the request was complete.
            if connection.input.isEmpty {
                closeConnection(connection)
            } else {
                reject(connection, HTTPRequestRejection(status: 400, reason: "the request ended early"))
            }
            return
        }
        connection.input += readBuffer[0..<count]
        // A head can only have ended where a line did: a client sending a byte at a time is not
        // re-parsed for every byte.
        let mayEndHead = readBuffer[0..<count].contains(UInt8(ascii: "\n")) || connection.input.count > limits.maxHeaderBytes
        if connection.head == nil && !mayEndHead { return }
        processInput(connection)
    }

    private func processInput(_ connection: ControlConnection) {
        if connection.head == nil {
            switch HTTPRequestHeadParser.parse(connection.input, maxHeaderBytes: limits.maxHeaderBytes, head: &connection.head) {
            case .incomplete:
                return
            case .rejected(let rejection):
                reject(connection, rejection)
                return
            case .complete(let bodyOffset):
                connection.bodyOffset = bodyOffset
                connection.deadline = connection.acceptedAt + limits.requestTimeout
                if let head = connection.head, let refusal = hosts.refusal(for: head) {
                    connection.summary = "\(head.method) \(head.rawPath)"
                    let kind: ControlWarnings.Kind = refusal.kind == .host ? .host : .origin
                    warnings.warn(kind, "refused \(connection.summary) with \(refusal.rejection.status): \(refusal.rejection.reason)")
                    reject(connection, refusal.rejection)
                    return
                }
            }
        }
        guard let head = connection.head else { return }
        connection.summary = "\(head.method) \(head.rawPath)"
        guard head.contentLength <= limits.maxBodyBytes else {
            reject(connection, .init(status: 413, reason: "the body is larger than \(limits.maxBodyBytes) bytes"))
            return
        }
        let received = connection.input.count - connection.bodyOffset
        if received < head.contentLength {
            if head.expectsContinue && !connection.sentContinue {
                connection.sentContinue = true
                // Nothing else was sent on this connection yet, so the socket buffer has room
                // for these 25 bytes; a short send means the connection is broken.
                let sent = try? SystemCall.check(
                    Self.continueResponse.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }, "send")
                if sent != Self.continueResponse.count { closeConnection(connection) }
            }
            return
        }
        dispatch(connection, head: head)
    }

    private func dispatch(_ connection: ControlConnection, head: HTTPRequestHead) {
        let path: String
        let query: FormFields
        do {
            path = try PercentDecoding.decode(Array(head.rawPath.utf8), plusAsSpace: false)
            query = try FormFields(decoding: head.rawQuery)
        } catch {
            reject(connection, .init(status: 400, reason: "\(error)"))
            return
        }
        switch routes.resolve(head.method, path) {
        case .notFound:
            respond(connection, .text("no such path: \(path)", status: 404))
        case .methodNotAllowed(let allowed):
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            respond(connection, .text("\(head.method) is not allowed on \(path); use \(allow)", status: 405, headers: ["Allow": allow]))
        case .handle(let handler, let headOnly):
            connection.headOnly = headOnly
            connection.phase = .handling
            connection.deadline = clock.now + limits.handlerTimeout
            let body = Array(connection.input[connection.bodyOffset..<(connection.bodyOffset + head.contentLength)])
            let request = ControlRequest(method: head.method, path: path, query: query, headers: head.headers, body: body)
            let (mailbox, id) = (self.mailbox, connection.id)
            // Ahead of the daemon's own work on the cooperative pool: an operator's request is
            // small, and it must not wait behind a fresh start's thousands of polls (the pool
            // runs higher-priority jobs first).
            Task(priority: .high) {
                let response = await handler(request)
                mailbox.deliver(response, to: id)
            }
        }
    }

    private func reject(_ connection: ControlConnection, _ rejection: HTTPRequestRejection) {
        respond(connection, .text(rejection.reason, status: rejection.status))
    }

    private func respond(_ connection: ControlConnection, _ response: ControlResponse) {
        logger.debug("control endpoint: \(connection.summary) → \(response.status)")
        connection.output = response.serialized(headOnly: connection.headOnly)
        connection.written = 0
        connection.phase = .writing
        connection.deadline = clock.now + limits.writeTimeout
        writeResponse(connection)
    }

    private func writeResponse(_ connection: ControlConnection) {
        while connection.written < connection.output.count {
            let sent: Int
            do {
                sent = try SystemCall.check(
                    connection.output.withUnsafeBytes {
                        send(connection.fd, $0.baseAddress! + connection.written, $0.count - connection.written, Int32(MSG_NOSIGNAL))
                    }, "send")
            } catch {
                if error.interrupted { continue }
                if !error.wouldBlock { closeConnection(connection) }
                return
            }
            connection.written += sent
        }
        // All sent: end our side (the client sees the end of the response) and linger. A
        // connection that cannot be shut down (the client reset it) has nothing left to do.
        do {
            try SystemCall.check(shutdown(connection.fd, Int32(SHUT_WR)), "shutdown")
        } catch {
            closeConnection(connection)
            return
        }
        connection.output = []
        connection.input = []
        connection.phase = .lingering
        connection.deadline = clock.now + Self.lingerTimeout
    }

    /// Reads what `connection` has into `readBuffer`: the byte count (0 at its end), or nil when
    /// there is nothing now or the connection failed (then it is closed).
    private func receive(_ connection: ControlConnection) -> Int? {
        do {
            return try SystemCall.check(recv(connection.fd, &readBuffer, readBuffer.count, 0), "recv")
        } catch {
            if !error.wouldBlock && !error.interrupted { closeConnection(connection) }
            return nil
        }
    }

    private func discardInput(_ connection: ControlConnection) {
        guard let count = receive(connection) else { return }
        connection.discarded += count
        if count == 0 || connection.discarded > Self.lingerBytes { closeConnection(connection) }
    }

    private func closeConnection(_ connection: ControlConnection) {
        SystemCall.close(connection.fd)
        connections[connection.id] = nil
    }

    // MARK: - Deadlines

    private func expireDeadlines(_ now: ContinuousClock.Instant) {
        for connection in connections.values where connection.deadline <= now {
            switch connection.phase {
            case .reading:
                let (what, timeout) =
                    connection.head == nil
                    ? ("request head", min(limits.headTimeout, limits.requestTimeout)) : ("request", limits.requestTimeout)
                if connection.input.isEmpty {
                    warnings.warn(.slowRequest, "closed a connection that sent nothing within \(timeout)")
                    closeConnection(connection)
                } else {
                    warnings.warn(.slowRequest, "answered 408 to a \(what) not complete within \(timeout)")
                    reject(connection, .init(status: 408, reason: "the \(what) took longer than \(timeout)"))
                }
            case .handling:
                warnings.warn(.handlerTimeout, "\(connection.summary) had no answer within \(limits.handlerTimeout)")
                respond(connection, .text("no answer within \(limits.handlerTimeout)", status: 503))
            case .writing, .lingering:
                closeConnection(connection)
            }
        }
    }

    /// Until the next deadline, rounded up; -1 (no timeout) when nothing waits for one.
    private func timeoutMilliseconds(_ now: ContinuousClock.Instant) -> Int32 {
        var next = connections.values.map(\.deadline).min()
        if let paused = acceptPausedUntil { next = min(next ?? paused, paused) }
        guard let next else { return -1 }
        let left = now.duration(to: next)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}
