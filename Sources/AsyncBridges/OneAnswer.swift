import Synchronization

/// The one answer a waiting task gets, from whichever comes first: the work it waits for (a
/// reply, a send, a write) or the task's cancellation. Later answers are dropped; an answer given before the task waits is
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

    /// Waits for the answer (one task only may wait).
    public func value() async -> Value {
        await withCheckedContinuation { wait($0) }
    }

    /// Whether the task was answered (work not started yet may then be skipped).
    public var isAnswered: Bool { state.withLock { $0.done } }

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

extension OneAnswer {
    /// Waits for the answer that `start` arranges (it gets the ``OneAnswer`` to give); a task
    /// cancelled before or meanwhile gets `cancelled` at once, and a later answer is dropped.
    /// `start` runs at once, on the caller's isolation.
    public static func awaiting(
        isolation: isolated (any Actor)? = #isolation, ifCancelled cancelled: Value, _ start: (OneAnswer<Value>) -> Void
    ) async -> Value {
        if Task.isCancelled { return cancelled }
        let answer = OneAnswer<Value>()
        return await withTaskCancellationHandler(
            operation: {
                await withCheckedContinuation(isolation: isolation) { continuation in
                    answer.wait(continuation)
                    start(answer)
                }
            },
            onCancel: { answer.give(cancelled) },
            isolation: isolation)
    }
}
