import Foundation
import Synchronization

/// `--sink stdout`: one JSON object a line on standard output, as `hubdiffer fetch` prints.
/// A write that fails (a closed pipe) is answered false, so nothing is marked.
public final class StdoutSink: EntrySink {
    private let output = Mutex(FileHandle.standardOutput)

    public var description: String { "stdout" }

    public func deliver(_ batch: SinkBatch) async -> Bool {
        guard !batch.entries.isEmpty else { return true }
        var text = ""
        for entry in batch.entries {
            text += entry
            text += "\n"
        }
        let bytes = Data(text.utf8)
        return output.withLock { handle in
            do {
                try handle.write(contentsOf: bytes)
                return true
            } catch {
                return false
            }
        }
    }

    public func flush(deadline: ContinuousClock.Instant) async {}
}
