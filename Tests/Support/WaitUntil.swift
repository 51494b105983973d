import Foundation

// Tests wait for conditions, never for a fixed time: a log line, a metric, a file, a count a
// server reports. `waitUntil` is the one way to do it. Its deadline is only there so that a
// broken build fails instead of hanging: make it generous (a loaded 2-core machine runs the
// whole suite in parallel), and let what the test checks come from the condition, not the clock.
// (FeedMemoryTests and ShardRouterTests compile this file too, through a symbolic link: they do
// not depend on TestSupport.)

/// Asks `condition` every `interval` until it holds or `timeout` has passed, suspending in
/// between (never blocking a thread). Returns whether it held. `condition` is always asked at
/// least once, and once more at the deadline, so a slow machine cannot turn a success into a
/// timeout.
///
/// `condition` may block briefly (curl, redis-cli, reading a file): in a test on a thread of its
/// own (`.ownThread`) that harms no other test.
@discardableResult
public func waitUntil(
    timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        let asked = ContinuousClock.now
        if try await condition() { return true }
        if asked >= deadline { return false }
        let now = ContinuousClock.now
        guard now < deadline else { continue }
        // A cancelled test stops waiting; the condition's answer now is the result.
        if Task.isCancelled { return try await condition() }
        await pause(for: min(interval, deadline - now))
    }
}

/// Suspends the calling task for `duration`, like `Task.sleep`, but its wake-up does not go
/// through the cooperative pool: a timer on a dispatch queue of its own resumes the task, on
/// its own thread (`.ownThread`) or on the pool. (`Task.sleep`'s timer hands the task to a
/// thread of the pool first, which a loaded parallel run may not give for seconds.) Not
/// cancellable: keep it short.
public func pause(for duration: Duration) async {
    let (seconds, attoseconds) = duration.components
    let nanoseconds = max(0, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        pauseTimers.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { continuation.resume() }
    }
}

private let pauseTimers = DispatchQueue(label: "hubdiffer.test.pause")

/// The blocking form, for the harnesses' synchronous start-up and shutdown (a server that
/// accepts connections, a child that has exited). Tests use the async form.
@available(*, noasync, message: "blocks a thread: in async code use `await waitUntil`")
@discardableResult
func waitUntil(
    timeout: Duration, every interval: Duration = .milliseconds(10), _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        let asked = ContinuousClock.now
        if try condition() { return true }
        if asked >= deadline { return false }
        let now = ContinuousClock.now
        guard now < deadline else { continue }
        let (seconds, attoseconds) = min(interval, deadline - now).components
        usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }
}
