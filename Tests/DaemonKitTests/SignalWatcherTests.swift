import DaemonKit
import Glibc
import Testing

/// Only SIGHUP and SIGUSR2, which nothing else in the test process uses; serialized, as a
/// signal raised by one test would reach the other's watcher too.
@Suite("SignalWatcher", .serialized, .ownThread)
struct SignalWatcherTests {
    @Test func aRaisedHangupArrivesOnTheStream() async throws {
        let watcher = await SignalWatcher(watching: [.hangup])
        defer { watcher.stop() }
        kill(getpid(), SIGHUP)
        #expect(await first(of: watcher.signals, within: .seconds(5)) == .hangup)
        // The process is still alive: the default action (terminate) did not run.
        kill(getpid(), SIGHUP)
        #expect(await first(of: watcher.signals, within: .seconds(5)) == .hangup)
    }

    @Test func eachWatchedSignalIsToldApart() async throws {
        let watcher = await SignalWatcher(watching: [.hangup, .user2])
        defer { watcher.stop() }
        kill(getpid(), SIGUSR2)
        #expect(await first(of: watcher.signals, within: .seconds(5)) == .user2)
        kill(getpid(), SIGHUP)
        #expect(await first(of: watcher.signals, within: .seconds(5)) == .hangup)
    }

    @Test func stopFinishesTheStream() async throws {
        let watcher = await SignalWatcher(watching: [.user2])
        let ended = Task {
            var count = 0
            for await _ in watcher.signals { count += 1 }
            return count
        }
        watcher.stop()
        #expect(await ended.value == 0)
        // After stop the signal is not fatal either: this process lives on to watch again. The
        // pause is deliberate: nothing can show that a signal did *not* act, so it is given
        // time to (were it fatal, the test process would end here).
        kill(getpid(), SIGUSR2)
        try await Task.sleep(for: .milliseconds(50))
        let again = await SignalWatcher(watching: [.user2])
        defer { again.stop() }
        kill(getpid(), SIGUSR2)
        #expect(await first(of: again.signals, within: .seconds(5)) == .user2)
    }

    @Test func signalsHaveTheirNumbers() {
        #expect(ProcessSignal.terminate.number == SIGTERM)
        #expect(ProcessSignal.interrupt.number == SIGINT)
        #expect(ProcessSignal.hangup.number == SIGHUP)
        #expect(ProcessSignal.hangup.description == "SIGHUP")
    }
}

/// The next element of `stream`, or nil when none comes within `timeout`.
private func first(of stream: AsyncStream<ProcessSignal>, within timeout: Duration) async -> ProcessSignal? {
    await withTaskGroup(of: ProcessSignal?.self) { group in
        group.addTask {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let result = await group.next() ?? nil
        group.cancelAll()
        return result
    }
}
