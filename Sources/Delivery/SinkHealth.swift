import Synchronization

/// Whether the sink takes entries: when it last did, and since when it has refused every batch
/// (no batch taken in between). `/health` reports it; a sink that refuses everything for longer
/// than `--sink-grace` (standard output closed: EPIPE) ends the daemon with a non-zero status,
/// so the service manager restarts it — the refused entries stay unmarked, nothing is lost.
public final class SinkHealth: Sendable {
    private struct State {
        var lastTaken: ContinuousClock.Instant?
        var refusingSince: ContinuousClock.Instant?
        var refused = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func taken(at now: ContinuousClock.Instant = .now) {
        state.withLock {
            $0.lastTaken = now
            $0.refusingSince = nil
            $0.refused = 0
        }
    }

    public func refused(at now: ContinuousClock.Instant = .now) {
        state.withLock {
            if $0.refusingSince == nil { $0.refusingSince = now }
            $0.refused += 1
        }
    }

    /// How long the sink has refused every batch, and how many; nil while it takes them.
    public func refusal(at now: ContinuousClock.Instant = .now) -> (duration: Duration, batches: Int)? {
        state.withLock { state in state.refusingSince.map { (now - $0, state.refused) } }
    }
}
