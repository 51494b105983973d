import Dispatch
import Glibc
import Synchronization

/// SIGINT and SIGTERM turned into a flag that a long command checks between two steps, so it
/// stops at a point it can resume from instead of in the middle of a write.
///
/// `@unchecked Sendable`: `sources` is written once in `init` and only kept alive afterwards
/// (never read or changed); `raised` is atomic.
final class InterruptFlag: @unchecked Sendable {
    private let raised = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    /// Starts watching: from now on SIGINT and SIGTERM set the flag instead of ending the process.
    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in self.raised.store(true, ordering: .relaxed) }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether SIGINT or SIGTERM arrived.
    var isRaised: Bool { raised.load(ordering: .relaxed) }
}
