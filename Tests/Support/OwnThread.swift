import Foundation
import Glibc
import Testing

/// Runs each test (each case of a parameterized one) of the suite or test it is given to on a
/// thread of its own instead of Swift Testing's cooperative pool.
///
/// Why: in a parallel run Swift Testing starts every test at once as tasks on the cooperative
/// pool, which has one thread per core: two on a 2-core machine. A test that blocks (starting a
/// server, running the executable, redis-cli, curl, waiting with `waitUntil`) or that computes
/// for seconds holds one of those two threads all that time, and every other test's `await`
/// waits behind it; latencies measured meanwhile (a fault test's "within twice the timeout")
/// then measure the queue. With this trait a test's synchronous code runs on its own thread,
/// where blocking harms nobody and the kernel shares the cores fairly, and its `await`s
/// resume there too (as do child tasks of `async let` and task groups), so a test that measures
/// a latency is not held up by the pool either. Tasks made with `Task { }` and actors still run
/// on the pool, and so does the wake-up of a `Task.sleep`: wait with `waitUntil` or
/// `pause(for:)` instead.
///
/// `.ownThread(nice: 19)` is for tests that compute for seconds and measure no time: their
/// threads then take only the CPU the others leave, so a few dozen of them at once do not slow
/// down the pool's threads, the servers and the tests that bound a latency.
///
/// FeedParsingTests, SchedulerTests and ShardRouterTests compile this file too (a symbolic link):
/// they do not depend on TestSupport.
public struct OwnThreadTrait: TestTrait, SuiteTrait, TestScoping {
    /// The nice value of the test's thread (0: as the rest of the process; 19: the lowest).
    public var nice: Int32 = 0

    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // One thread per test case; none for a suite as a whole or a parameterized test's set.
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let executor = ThreadExecutor.lease(nice: nice)
        defer { executor.release() }
        try await withTaskExecutorPreference(executor) { try await function() }
    }
}

extension OwnThreadTrait {
    /// Whether the calling code runs on a thread this trait made (for the trait's own tests).
    public static var isCurrentThreadOwn: Bool { Thread.current.threadDictionary[ThreadExecutor.marker] != nil }
}

extension Trait where Self == OwnThreadTrait {
    /// Each test on a thread of its own, off the cooperative pool (see ``OwnThreadTrait``).
    public static var ownThread: Self { OwnThreadTrait() }

    /// Each test on a thread of its own at nice value `nice` (19 for tests that compute for
    /// seconds and measure no time; see ``OwnThreadTrait``).
    public static func ownThread(nice: Int32) -> Self { OwnThreadTrait(nice: nice) }
}

/// A task executor with one thread of its own: runs the jobs enqueued on it in order. Threads
/// are kept and lent again (``lease(nice:)``, ``release()``): a suite starts a few hundred test
/// cases at once, and making and ending a thread for each stalls the whole process on the C
/// library's locks (stacks, malloc arenas).
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs` is only touched while holding `condition`, `idle` while
    // holding `idleLock`; `nice` is immutable.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private let nice: Int32

    static let marker = "hubdiffer.test.own-thread"
    private static let idleLock = NSLock()
    nonisolated(unsafe) private static var idle: [Int32: [ThreadExecutor]] = [:]

    /// An idle executor whose thread runs at `nice`, or a new one.
    static func lease(nice: Int32) -> ThreadExecutor {
        let reused = idleLock.withLock { idle[nice]?.popLast() }
        return reused ?? ThreadExecutor(nice: nice)
    }

    /// Gives the executor back for another test (its last job may still be returning).
    func release() {
        Self.idleLock.withLock { Self.idle[nice, default: []].append(self) }
    }

    private init(nice: Int32) {
        self.nice = nice
        let thread = Thread { [self] in
            Thread.current.threadDictionary[Self.marker] = true
            // On Linux the nice value belongs to the thread: this sets this thread's alone.
            if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
            run()
        }
        thread.name = nice == 0 ? "test-thread" : "test-thread-\(nice)"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
