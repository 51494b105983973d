import Dispatch

/// Blocking work (a write to a pipe that may be slow, a large file parsed) run on a dispatch
/// queue, never on Swift's cooperative pool: on two cores, two blocked pool threads would stall
/// every task of the process, `/health` and the watchdog included.
public enum BlockingWork {
    /// Runs `work` on `queue` (default: a global queue) and returns its result.
    public static func run<Value: Sendable, Failure: Error>(
        on queue: DispatchQueue = .global(), _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(Failure) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}

extension BlockingWork {
    /// Runs `work` on `queue`; a cancelled caller stops waiting at once and gets `cancelled`.
    /// Work not started by then is skipped; work under way runs to its end on the queue.
    public static func run<Value: Sendable>(
        on queue: DispatchQueue, ifCancelled cancelled: Value, _ work: @escaping @Sendable () -> Value
    ) async -> Value {
        await OneAnswer.awaiting(ifCancelled: cancelled) { answer in
            queue.async {
                guard !answer.isAnswered else { return }
                answer.give(work())
            }
        }
    }
}
