import SystemCalls
import CSystem
import Glibc
import Synchronization

/// What other threads hand the connection loop — handlers' responses and the request to stop —
/// and the pipe that wakes its poll(2). Also tells waiters when the loop has ended.
final class ControlMailbox: Sendable {
    /// The read end of the wake pipe, polled by the loop.
    let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let inbox = Mutex(Inbox())

    struct Inbox {
        var responses: [(connection: UInt64, response: ControlResponse)] = []
        var stopping = false
        var loopEnded = false
        var endWaiters: [CheckedContinuation<Void, Never>] = []
    }

    init() throws(ControlServerError) {
        var ends: [Int32] = [-1, -1]
        do {
            // Both ends non-blocking and close-on-exec from the start.
            try SystemCall.check(hd_pipe2_nonblocking_cloexec(&ends), "pipe2")
        } catch {
            throw ControlServerError(error)
        }
        wakeFD = ends[0]
        wakeWriteFD = ends[1]
    }

    /// Closed only when nothing refers to the mailbox: the loop (which polls `wakeFD`) holds it
    /// while it runs, and a late handler task writes to `wakeWriteFD` through it.
    deinit {
        SystemCall.close(wakeFD)
        SystemCall.close(wakeWriteFD)
    }

    /// Hands a handler's response for `connection` to the loop (any thread).
    func deliver(_ response: ControlResponse, to connection: UInt64) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.loopEnded else { return false }
            inbox.responses.append((connection, response))
            return true
        }
        if accepted { wake() }
    }

    /// Asks the loop to close everything and end (any thread).
    func requestStop() {
        inbox.withLock { $0.stopping = true }
        wake()
    }

    /// The loop's side: empties the wake pipe and takes what arrived.
    func take() -> (responses: [(connection: UInt64, response: ControlResponse)], stopping: Bool) {
        var sink = [UInt8](repeating: 0, count: 64)
        // Until EAGAIN: the pipe is empty. Any other failure leaves bytes in it, and the next
        // poll(2) reports it readable again.
        drain: while true {
            do {
                if try SystemCall.check(read(wakeFD, &sink, sink.count), "read") == 0 { break drain }
            } catch {
                if error.interrupted { continue }
                break drain
            }
        }
        return inbox.withLock { inbox in
            defer { inbox.responses.removeAll() }
            return (inbox.responses, inbox.stopping)
        }
    }

    /// The loop's side, last thing it does: wakes every ``waitUntilLoopEnded()``.
    func loopEnded() {
        let waiters = inbox.withLock { inbox in
            inbox.loopEnded = true
            inbox.responses.removeAll()
            defer { inbox.endWaiters.removeAll() }
            return inbox.endWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the loop has ended (at once when it has).
    func waitUntilLoopEnded() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = inbox.withLock { inbox in
                if !inbox.loopEnded { inbox.endWaiters.append(continuation) }
                return inbox.loopEnded
            }
            if ended { continuation.resume() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        do {
            try SystemCall.check(write(wakeWriteFD, &byte, 1), "write")
        } catch {
            // A full pipe (EAGAIN) already means "wake up"; EINTR cannot come from a
            // non-blocking pipe write, and both ends stay open while the mailbox lives.
            assert(error.wouldBlock, "the wake pipe refused a byte: \(error.message)")
        }
    }
}
