import Synchronization

/// A bounded stage of the poll pipeline: at most `limit` polls inside at once; the others wait
/// in line (first come, first served), and the line's length is the stage's queue depth.
/// A slow stage thus holds the polls before it instead of letting work pile up in memory.
final class StageGate: Sendable {
    private struct State {
        var inside = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
    }

    /// Polls waiting to enter.
    var queueDepth: Int { state.withLock { $0.waiting.count - $0.head } }
    /// Polls inside.
    var occupancy: Int { state.withLock { $0.inside } }

    /// Waits for a place, then takes it. Every `enter` must be followed by one ``leave()``.
    func enter() async {
        let entered = state.withLock { state -> Bool in
            guard state.inside < limit, state.head == state.waiting.count else { return false }
            state.inside += 1
            return true
        }
        if entered { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.inside < limit, state.head == state.waiting.count {
                    state.inside += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Gives the place to the first waiting poll, or frees it.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiting.count else {
                state.inside -= 1
                return nil
            }
            let next = state.waiting[state.head]
            state.head += 1
            if state.head > 1024, state.head * 2 > state.waiting.count {
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return next  // the place passes to it: `inside` stays
        }
        next?.resume()
    }
}
