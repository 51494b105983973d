import DaemonKit
import Fetcher
import Foundation
import Logging
import Polling
import Scheduler

/// How the dispatcher's loop sleeps until the next due poll, and is woken.
extension PollDispatcher {

    /// Sleeps until `deadline` or a wake-up; a cancellation of the loop's task wakes it too.
    func pause(until deadline: ContinuousClock.Instant?) async {
        guard !Task.isCancelled else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                wake = continuation
                guard let deadline, timerDeadline.map({ deadline < $0 }) ?? true else { return }
                timer?.cancel()
                timerDeadline = deadline
                timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, tolerance: .milliseconds(2), clock: .continuous)
                    await self?.timerFired(deadline)
                }
            }
        } onCancel: {
            Task { await self.wakeUp() }
        }
    }

    func timerFired(_ deadline: ContinuousClock.Instant) {
        guard timerDeadline == deadline else { return }
        timer = nil
        timerDeadline = nil
        wakeUp()
    }

    func wakeUp() {
        wake?.resume()
        wake = nil
    }
}
