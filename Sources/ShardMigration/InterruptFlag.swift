import DaemonKit
import Synchronization

/// SIGINT and SIGTERM (through DaemonKit's ``SignalWatcher``) turned into a flag that a long
/// command checks between two steps, so it stops at a point it can resume from instead of in
/// the middle of a write.
public final class InterruptFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    private let watcher: SignalWatcher

    /// Starts watching: from now on SIGINT and SIGTERM set the flag instead of ending the process.
    public init() async {
        watcher = await SignalWatcher(watching: [.interrupt, .terminate])
        Task { [watcher, flag = self] in
            for await _ in watcher.signals { flag.raise() }
        }
    }

    private func raise() { raised.store(true, ordering: .relaxed) }

    /// Whether SIGINT or SIGTERM arrived.
    public var isRaised: Bool { raised.load(ordering: .relaxed) }
}
