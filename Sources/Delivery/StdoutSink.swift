import AsyncBridges
import Dispatch
import Foundation

/// `--sink stdout`: one JSON object a line on standard output, as `hubdiffer fetch` prints.
/// A write that fails (a closed pipe) is answered false, so nothing is marked. Writes run on a
/// serial queue of their own, never on the cooperative pool: a reader that stops reading
/// blocks that queue alone, and the polls waiting on it hold (the scheduler lags) while
/// `/health` and the watchdog go on. A cancelled poll stops waiting (answered false).
public final class StdoutSink: EntrySink {
    private let queue = DispatchQueue(label: "hubdiffer.sink.stdout")

    public init() {}

    public var description: String { "stdout" }

    public func deliver(_ batch: SinkBatch) async -> Bool {
        guard batch.count > 0 else { return true }
        let lines = batch.lines  // one object a line already: written as it is
        return await BlockingWork.run(on: queue, ifCancelled: false) {
            do {
                try FileHandle.standardOutput.write(contentsOf: lines)
                return true
            } catch {
                return false
            }
        }
    }

    public func flush(deadline: ContinuousClock.Instant) async {}
}
