import Synchronization

/// The one answer a waiting task gets, from whichever comes first: the shard's reply or the
/// task's cancellation. Later answers are dropped; an answer given before the task waits is
/// kept for it.
public final class OneAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(waiting: CheckedContinuation<Value, Never>?, given: Value?, done: Bool)>((nil, nil, false))

    public init() {}

    /// The task waits for the answer (resumed at once when it was already given).
    public func wait(_ continuation: CheckedContinuation<Value, Never>) {
        let given = state.withLock { state -> Value? in
            guard let given = state.given else {
                state.waiting = continuation
                return nil
            }
            state.given = nil
            return given
        }
        if let given { continuation.resume(returning: given) }
    }

    /// Answers the waiting task, unless it was answered already.
    public func give(_ value: Value) {
        let waiting = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.done else { return nil }
            state.done = true
            guard let waiting = state.waiting else {
                state.given = value
                return nil
            }
            state.waiting = nil
            return waiting
        }
        waiting?.resume(returning: value)
    }
}
