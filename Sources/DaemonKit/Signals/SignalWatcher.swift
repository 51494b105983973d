import SystemCalls
import Dispatch
import Glibc
import Synchronization

/// Turns signals into an `AsyncStream` (for SIGTERM, SIGINT, SIGHUP by default), through
/// libdispatch signal sources.
///
/// How it works on Linux, and what that means: a signal whose disposition is the default is
/// first set to ignore, so one arriving before the source is in place cannot kill the
/// process; libdispatch then installs a handler of its own and reads the signal from a
/// signalfd. libdispatch keeps that handler for the rest of the process, so ``stop()`` cannot
/// give the old disposition back: after it, a watched signal is neither fatal nor delivered
/// (it stays pending, and a later watcher of the same signal may receive it). Several
/// watchers of one signal each get every instance. Signals that arrive close together may be
/// coalesced into one element.
public final class SignalWatcher: Sendable {
    /// The watched signals as they arrive; finishes after ``stop()``.
    public let signals: AsyncStream<ProcessSignal>
    private let continuation: AsyncStream<ProcessSignal>.Continuation
    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Starts watching `watched`; returns once libdispatch has installed its handlers, so a
    /// signal raised right after is not missed.
    public init(watching watched: Set<ProcessSignal> = [.terminate, .interrupt, .hangup]) async {
        let (signals, continuation) = AsyncStream.makeStream(of: ProcessSignal.self, bufferingPolicy: .unbounded)
        self.signals = signals
        self.continuation = continuation
        let queue = DispatchQueue(label: "hubdiffer.signals")
        var made: [any DispatchSourceSignal] = []
        await withCheckedContinuation { (installed: CheckedContinuation<Void, Never>) in
            let countdown = RegistrationCountdown(count: watched.count, then: installed)
            for signal in watched {
                Self.ignoreIfDefault(signal.number)
                let source = DispatchSource.makeSignalSource(signal: signal.number, queue: queue)
                source.setEventHandler { continuation.yield(signal) }
                source.setRegistrationHandler { countdown.countDown() }
                source.resume()
                made.append(source)
            }
        }
        sources = Mutex(made)
    }

    /// Stops watching and finishes ``signals``. See the type's notes on what becomes of the
    /// signals afterwards.
    public func stop() {
        let stopped = sources.withLock { sources in
            defer { sources.removeAll() }
            return sources
        }
        for source in stopped { source.cancel() }
        continuation.finish()
    }

    deinit { stop() }

    /// Sets `number` to SIG_IGN when its disposition is SIG_DFL. Any other is left alone: in
    /// particular libdispatch's own handler, installed by an earlier watcher and needed by
    /// this one (libdispatch installs it only once per process).
    ///
    /// sigaction(2) fails only for a number that is no signal or cannot be caught (EINVAL), and
    /// every ``ProcessSignal`` can be: a failure is a bug, not a condition to run on with.
    /// Ignores SIGPIPE for the rest of the process: a write to a pipe whose reader went away
    /// then fails with EPIPE (which the writer reports) instead of killing the process.
    public static func ignoreBrokenPipes() {
        ignoreIfDefault(SIGPIPE)
    }

    private static func ignoreIfDefault(_ number: Int32) {
        var current = sigaction()
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        do throws(SystemCallFailure) {
            try SystemCall.check(sigaction(number, nil, &current), "sigaction")
            guard current.__sigaction_handler.sa_handler == nil else { return }
            try SystemCall.check(sigaction(number, &ignore, nil), "sigaction")
        } catch {
            preconditionFailure("\(error.call) refused signal \(number): \(error.message)")
        }
    }
}

/// Resumes a continuation once `count` registration handlers have run (at once for 0).
private final class RegistrationCountdown: Sendable {
    private let remaining: Mutex<Int>
    private let continuation: CheckedContinuation<Void, Never>

    init(count: Int, then continuation: CheckedContinuation<Void, Never>) {
        remaining = Mutex(count)
        self.continuation = continuation
        if count == 0 { continuation.resume() }
    }

    func countDown() {
        let done = remaining.withLock { remaining in
            remaining -= 1
            return remaining == 0
        }
        if done { continuation.resume() }
    }
}
