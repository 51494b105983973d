import AsyncBridges
import Dispatch
import Glibc
import Synchronization
import SystemCalls

/// The durable record of feeds added, changed and removed at run time, kept in the state
/// directory beside the first-poll journal (`feed-changes`), so that an acknowledged change
/// survives `kill -9` without rewriting a feeds file of a million lines.
///
/// It holds the newest change of each feed (`changes`): an overlay on the feeds file, applied
/// at start and at every reload (the rule of which wins is `FeedListOverlay`'s).
///
/// The file is text: a header line, then one `FeedChange` line per change, appended in the
/// order `append` was called. Appends are group-committed on a serial queue of their own
/// (never the cooperative pool): every line waiting is written with one `pwrite` and one
/// `fdatasync`, and then each change's `OneAnswer` hears `true` (durable) or `false` (the disk
/// refused: the change holds in memory only). When the file holds many more lines than
/// changes, it is folded: rewritten with the newest change of each feed by an atomic rename.
/// A torn last line (a crash during a write) is dropped at load.
///
/// `@unchecked Sendable`: `state` is guarded by its mutex; `descriptor`, `length` and
/// `linesInFile` are touched only on `queue` (and in `init`, before anything else holds the
/// journal, and `deinit`, after); everything else is immutable.
public final class FeedChangeJournal: @unchecked Sendable {
    /// Why the journal cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The journal's file.
    public let path: String
    private let queue = DispatchQueue(label: "hubdiffer.feed-change-journal")
    private var descriptor: Int32
    private var length: off_t
    private var linesInFile: Int
    private let state: Mutex<State>

    private struct State {
        var changes: [Int64: FeedChange]
        /// Lines appended and not yet written, with who waits for each.
        var pending: [(FeedChange, OneAnswer<Bool>)] = []
        var writeScheduled = false
    }

    static let fileName = "feed-changes"
    static let loadedCopyName = "feeds.loaded"
    private let directory: String
    static let header = "# hubdiffer feed changes 1\n"
    /// The file is folded when it has more lines than this and twice the changes it holds.
    static let foldAbove = 10_000

    /// Opens (creating when needed) the journal in `directory` and loads it. The directory is
    /// expected to be locked already (by the first-poll journal).
    public init(directory: String) throws(Failure) {
        self.directory = directory
        path = directory + "/" + Self.fileName
        let fd = try FileBytes.openStateFile(path).mapError { Failure(description: $0.description) }.get()
        do {
            let loaded = try Self.load(fd, path: path)
            descriptor = fd
            length = loaded.length
            linesInFile = loaded.lines
            state = Mutex(State(changes: loaded.changes))
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        // Nothing else holds the journal: no block of the queue runs (they hold it weakly).
        writeOut()
        close(descriptor)
    }

    /// The newest change of each feed.
    public var changes: [Int64: FeedChange] { state.withLock { $0.changes } }

    /// How many feeds have a change.
    public var count: Int { state.withLock { $0.changes.count } }

    /// Records `change` (it is in `changes` at once); the answer says when it is on disk:
    /// `true`, or `false` when the disk refused it (said in one line on standard error).
    /// Changes are written in the order of the calls.
    public func append(_ change: FeedChange) -> OneAnswer<Bool> {
        let answer = OneAnswer<Bool>()
        let schedule = state.withLock { state -> Bool in
            state.changes[change.feed] = change
            state.pending.append((change, answer))
            defer { state.writeScheduled = true }
            return !state.writeScheduled
        }
        if schedule { queue.async { [weak self] in self?.writeOut() } }
        return answer
    }

    /// Forgets `outdated` changes (the feeds file has spoken of their feeds since) and rewrites
    /// the file with what is left. A feed changed again since is left alone. Blocks: call it
    /// off the cooperative pool.
    public func forget(_ outdated: [FeedChange]) throws(Failure) {
        guard !outdated.isEmpty else { return }
        let folded: Result<Void, Failure> = queue.sync {
            writeOut()
            // Folded from a copy; memory forgets only once the file no longer holds them.
            var kept = state.withLock { $0.changes }
            for change in outdated where kept[change.feed] == change { kept[change.feed] = nil }
            return Result { () throws(Failure) in
                try fold(kept)
                state.withLock { state in
                    for change in outdated where state.changes[change.feed] == change { state.changes[change.feed] = nil }
                }
            }
        }
        try folded.get()
    }

    // MARK: - The feeds file as last loaded

    /// The copy of the feeds file as last loaded (`feeds.loaded`): what tells an edit of the
    /// file made since then. Nil when there is none (a first start). Blocks.
    public func loadedFeedsFile() throws(Failure) -> [UInt8]? {
        let fd = open(loadedCopyPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure(description: "\(loadedCopyPath) cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        do { return try FileBytes.readAll(fd) } catch {
            throw Failure(description: "\(loadedCopyPath) cannot be read: \(error.message)")
        }
    }

    /// Keeps `bytes` as the feeds file as last loaded (atomically replaced). Blocks.
    public func saveLoadedFeedsFile(_ bytes: [UInt8]) throws(Failure) {
        do { try FileBytes.replace(loadedCopyPath, with: bytes) } catch {
            throw Failure(description: "\(loadedCopyPath) cannot be written: \(error.message)")
        }
    }

    private var loadedCopyPath: String { directory + "/" + Self.loadedCopyName }

    /// Waits until everything appended so far is written (at shutdown). Blocks.
    public func flush() {
        queue.sync { writeOut() }
    }

    // MARK: - The file (on `queue`)

    private func writeOut() {
        let batch = state.withLock { state -> [(FeedChange, OneAnswer<Bool>)] in
            state.writeScheduled = false
            defer { state.pending.removeAll() }
            return state.pending
        }
        guard !batch.isEmpty else { return }
        let bytes = Array(batch.map(\.0.line).joined().utf8)
        var durable = false
        do {
            // At the end of the last whole line: a write that failed half-way is overwritten by
            // the next one, never left between lines.
            try FileBytes.writeAll(descriptor, bytes, at: length)
            try SystemCall.check(fdatasync(descriptor))
            length += off_t(bytes.count)
            linesInFile += batch.count
            durable = true
        } catch {
            // Cut what a half-done write left, so the next batch starts on a clean line end.
            _ = ftruncate(descriptor, length)
            StandardErrorLine.write("hubdiffer: cannot write \(batch.count) feed changes to \(path): \(error.message); they hold until the daemon stops")
        }
        for (_, answer) in batch { answer.give(durable) }
        if durable, linesInFile > Self.foldAbove, linesInFile > 2 * count {
            do { try fold(changes) } catch { StandardErrorLine.write("hubdiffer: \(error)") }
        }
    }

    /// Rewrites the file with `changes` (atomically: renamed over it); appends go to the new
    /// file from then on.
    private func fold(_ changes: [Int64: FeedChange]) throws(Failure) {
        let lines = changes.values.sorted { $0.madeAt < $1.madeAt }
        let bytes = Array((Self.header + lines.map(\.line).joined()).utf8)
        do {
            let fd = try FileBytes.replaceKeepingOpen(path, with: bytes)
            close(descriptor)
            descriptor = fd
        } catch {
            throw Failure(description: "cannot fold \(path): \(error.message)")
        }
        length = off_t(bytes.count)
        linesInFile = lines.count
    }

    /// The changes of the file, its length up to the last whole line, and its lines.
    private static func load(_ fd: Int32, path: String) throws(Failure) -> (changes: [Int64: FeedChange], length: off_t, lines: Int) {
        let bytes: [UInt8]
        do { bytes = try FileBytes.readAll(fd) } catch {
            throw Failure(description: "\(path) cannot be read: \(error.message)")
        }
        let header = Array(Self.header.utf8)
        if bytes.isEmpty {
            do { try FileBytes.writeAll(fd, header, at: 0) } catch {
                throw Failure(description: "\(path) cannot be written: \(error.message)")
            }
            return ([:], off_t(header.count), 0)
        }
        guard bytes.starts(with: header) else {
            throw Failure(description: "\(path) is not a hubdiffer feed-change journal (move it away to start afresh)")
        }
        // Up to the last newline: what follows is a torn line, dropped.
        let whole = (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? header.count - 1) + 1
        var changes: [Int64: FeedChange] = [:]
        var lines = 0
        var damaged: [Int] = []
        let text = String(decoding: bytes[header.count..<whole], as: UTF8.self)
        for (index, line) in text.split(separator: "\n").enumerated() {
            // A line no append wrote whole (a write cut short by a full disk or a crash, never
            // acknowledged): skipped, and said.
            guard let change = FeedChange(line: line) else {
                damaged.append(index + 2)
                continue
            }
            changes[change.feed] = change
            lines += 1
        }
        if let first = damaged.first {
            StandardErrorLine.write(
                "hubdiffer: \(path): skipped \(damaged.count) damaged lines (the first is line \(first)): changes whose writing failed, never acknowledged")
        }
        if whole != bytes.count {
            do { try SystemCall.check(ftruncate(fd, off_t(whole))) } catch {
                // The torn bytes are overwritten by the next append, written at `whole`.
            }
        }
        return (changes, off_t(whole), lines)
    }
}
