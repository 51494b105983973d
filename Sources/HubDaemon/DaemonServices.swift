import DaemonKit
import Delivery
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

// The daemon's parts besides the dispatcher, each a `Service` of its `ServiceGroup`: each runs
// until the group's graceful shutdown (or its cancellation), then does its last step.

/// Flushes the sink at the very end of a shutdown (what it holds gets a second).
struct SinkFlushService: Service {
    let sink: any EntrySink

    func run() async {
        try? await gracefulShutdown()
        await sink.flush(deadline: .now + .seconds(1))
    }
}

/// Keeps the control endpoint (already listening) answering until the shutdown reaches it.
struct ControlService: Service {
    let server: ControlServer?

    func run() async {
        try? await gracefulShutdown()
        server?.stop()
    }
}

/// Pings systemd's watchdog while the dispatcher's loop turns (without a watchdog asked
/// for, it only waits for the shutdown: a service that returns early would end the group).
struct WatchdogService: Service {
    let systemd: SystemdNotifier
    let dispatcher: PollDispatcher

    func run() async {
        let dispatcher = self.dispatcher
        try? await cancelWhenGracefulShutdown { [systemd] in
            // A stuck loop, or a fetcher loop that libcurl failed: no ping, so systemd restarts.
            await systemd.runWatchdog {
                let failures = await dispatcher.fetcherFailures
                return await dispatcher.isTurning() && failures.isEmpty
            }
            try await gracefulShutdown()
        }
    }
}

/// Tells systemd every 10 s how many feeds, polls and entries there are (`systemctl status`).
struct StatusService: Service {
    let systemd: SystemdNotifier
    let dispatcher: PollDispatcher
    let sent: Atomic<Int>.Box

    func run() async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard await sleepUnlessShutdown(.seconds(10)) else { return }
            let (feeds, polls, inFlight) = await (dispatcher.feedCount, dispatcher.pollsDone, dispatcher.inFlightCount)
            systemd.status("\(feeds) feeds, \(polls) polls, \(inFlight) in flight, \(sent.value.load(ordering: .relaxed)) entries sent")
        }
    }
}

/// Ends the daemon (a graceful shutdown, exit 74) when the sink has refused every entry for
/// longer than `--sink-grace`: the service manager restarts it, the entries stay unmarked.
struct SinkWatchService: Service {
    let sink: any EntrySink
    let health: SinkHealth
    let grace: Duration
    let gaveUp: GaveUp
    let logger: Logger

    func run() async {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard await sleepUnlessShutdown(.seconds(1)) else { return }
            guard let refusal = health.refusal(), refusal.duration > grace else { continue }
            logger.critical(
                "the sink (\(sink.description)) refused every entry for \(refusal.duration.components.seconds) s (\(refusal.batches) batches): exiting so that the service manager restarts it; the entries stay unmarked and go out later")
            gaveUp.flag.store(true, ordering: .relaxed)
            return
        }
    }
}

/// SIGHUP reloads; SIGTERM or SIGINT ends this service, which shuts the group down gracefully.
struct SignalService: Service {
    let signals: SignalWatcher
    let systemd: SystemdNotifier
    let grace: Int
    let reload: @Sendable () async -> Void
    let logger: Logger

    func run() async {
        for await signal in signals.signals.cancelOnGracefulShutdown() {
            if signal == .hangup {
                await reload()
                continue
            }
            logger.notice("\(signal): stopping (polls in flight get \(grace) s)")
            systemd.stopping()
            return
        }
    }
}

/// Whether the sink watch ended the daemon (its exit status is then 74).
final class GaveUp: Sendable {
    let flag = Atomic<Bool>(false)
}

/// Sleeps `duration`; false when a graceful shutdown or a cancellation cut it short.
func sleepUnlessShutdown(_ duration: Duration) async -> Bool {
    do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
        return true
    } catch {
        return false
    }
}
