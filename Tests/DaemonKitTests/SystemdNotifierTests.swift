import DaemonKit
import Foundation
import Glibc
import Testing
import TestSupport

@Suite("SystemdNotifier against a real datagram socket", .ownThread)
struct SystemdNotifierTests {
    @Test func eachStateArrivesAsItsExactDatagram() async throws {
        let sink = try DatagramSink()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket], logger: quietLogger)
        #expect(notifier.isEnabled)
        notifier.ready(status: "polling 3 feeds")
        #expect(try await sink.next() == "READY=1\nSTATUS=polling 3 feeds")
        notifier.status("two\nlines")
        #expect(try await sink.next() == "STATUS=two lines")
        notifier.stopping()
        #expect(try await sink.next() == "STOPPING=1")
        try notifier.send([.watchdog])
        #expect(try await sink.next() == "WATCHDOG=1")
        try notifier.send([.extendTimeout(.seconds(20))])
        #expect(try await sink.next() == "EXTEND_TIMEOUT_USEC=20000000")
    }

    @Test func reloadingCarriesTheMonotonicClock() async throws {
        let sink = try DatagramSink()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket], logger: quietLogger)
        let before = monotonicMicroseconds()
        notifier.reloading()
        let after = monotonicMicroseconds()
        let datagram = try #require(try await sink.next())
        let lines = datagram.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let stamp = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(stamp >= before && stamp <= after)
    }

    @Test func anAbstractSocketIsReachedToo() async throws {
        let sink = try DatagramSink(abstractName: "hubdiffer-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket], logger: quietLogger)
        #expect(notifier.socketAddress == .abstract(String(sink.notifySocket.dropFirst())))
        notifier.ready()
        #expect(try await sink.next() == "READY=1")
    }

    @Test func withoutNotifySocketNothingIsSentAndThatIsSaidOnceAtDebug() throws {
        let record = LogRecord()
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "1000000"], logger: record.logger())
        #expect(!notifier.isEnabled)
        #expect(notifier.watchdog == nil)
        notifier.ready()
        notifier.stopping()
        try notifier.send([.watchdog])
        #expect(record.messages(at: .debug).count == 1)
        #expect(record.messages(at: .debug).first?.contains("NOTIFY_SOCKET") == true)
        #expect(record.messages(at: .warning).isEmpty)
    }

    @Test func aMissingSocketIsAnErrorForSendAndAWarningOtherwise() throws {
        let directory = try TemporaryDirectory.make(prefix: "nosocket")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = LogRecord()
        let path = "\(directory)/gone"
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path], logger: record.logger())
        #expect(throws: SystemdNotifyError.sendFailed(address: .path(path), errno: ENOENT)) { try notifier.send([.ready]) }
        notifier.ready()
        #expect(record.messages(at: .warning).count == 1)
    }

    @Test(arguments: ["relative/path", "vsock:2:1234", "@", "/" + String(repeating: "x", count: 120)])
    func unusableSocketValuesDisableNotifications(_ value: String) {
        #expect(NotifySocketAddress(value) == nil)
        let record = LogRecord()
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": value], logger: record.logger()).isEnabled)
        #expect(record.messages(at: .warning).count == 1)
    }

    @Test func theWatchdogIsReadFromTheEnvironment() {
        let pid = String(getpid())
        let watchdog = SystemdWatchdog(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": pid])
        #expect(watchdog?.timeout == .seconds(30))
        #expect(watchdog?.pingInterval == .seconds(15))
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "30000000"])?.timeout == .seconds(30))
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": String(getpid() + 1)]) == nil)
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdWatchdog(environment: ["WATCHDOG_USEC": "soon"]) == nil)
        #expect(SystemdWatchdog(environment: [:]) == nil)
    }

    @Test func aHealthyDaemonPingsAtHalfTheInterval() async throws {
        let sink = try DatagramSink()
        let notifier = SystemdNotifier(
            environment: ["NOTIFY_SOCKET": sink.notifySocket, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": String(getpid())],
            logger: quietLogger)
        #expect(notifier.watchdog?.pingInterval == .milliseconds(200))
        // The pinger is a child task: it runs on this test's own thread, beside the collecting.
        // Three pings, timed as they arrive: the first at once, then one every 200 ms, so the
        // third comes no sooner than ~400 ms after the first (a stalled machine makes it later,
        // never sooner; pinging faster than the interval would).
        let (received, span) = try await withThrowingTaskGroup(of: ([String], Duration)?.self) { group in
            group.addTask {
                await notifier.runWatchdog { true }
                return nil
            }
            var received: [String] = []
            var first: ContinuousClock.Instant?
            while received.count < 3, let ping = try await sink.next(within: .seconds(5)) {
                first = first ?? .now
                received.append(ping)
            }
            let span = first.map { ContinuousClock.now - $0 } ?? .zero
            group.cancelAll()
            return (received, span)
        }
        #expect(received == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"], "\(received)")
        #expect(span >= .milliseconds(350), "three pings within \(span): faster than every 200 ms")
    }

    @Test func anUnhealthyDaemonSendsNoPingsAndRecovers() async throws {
        let sink = try DatagramSink()
        let record = LogRecord()
        let notifier = SystemdNotifier(
            environment: ["NOTIFY_SOCKET": sink.notifySocket, "WATCHDOG_USEC": "100000"], logger: record.logger())
        let health = HealthFlag()
        try await withThrowingTaskGroup(of: Void.self) { group throws in
            // A child task: the pinger runs on this test's own thread.
            group.addTask { await notifier.runWatchdog { health.isHealthy } }
            // The unhealthy daemon logs once, and then, deliberately, 300 ms pass (three ping
            // intervals: what is checked is that no ping comes).
            #expect(await waitUntil { record.messages(at: .warning).count == 1 })
            #expect(try await sink.collect(for: .milliseconds(300)).isEmpty)
            #expect(record.messages(at: .warning).count == 1)
            health.set(true)
            #expect(try await sink.next(within: .seconds(10)) == "WATCHDOG=1")
            #expect(record.messages(at: .info).count == 1)
            group.cancelAll()
        }
    }

    @Test func noWatchdogMeansTheLoopReturnsAtOnce() async throws {
        let sink = try DatagramSink()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket], logger: quietLogger)
        await notifier.runWatchdog { true }
        #expect(try await sink.next(within: .milliseconds(50)) == nil)
    }

    private func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}

/// A flag read without an actor hop, so the pinger never waits for the cooperative pool.
private final class HealthFlag: @unchecked Sendable {
    // @unchecked Sendable: `healthy` is only touched while holding `lock`.
    private let lock = NSLock()
    private var healthy = false
    var isHealthy: Bool { lock.withLock { healthy } }
    func set(_ value: Bool) { lock.withLock { healthy = value } }
}
