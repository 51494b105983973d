import SystemCalls
import Dispatch
import Foundation
import Glibc
import Synchronization

/// The daemon's durable record of which feeds have had their first poll, kept outside the
/// Redis shards (in the state directory), so that an empty set means the right thing after a
/// restart:
///
/// - a feed **not** in the journal with no set is a new feed: its first poll records the
///   backlog without sending it (unless `--first-poll emit`);
/// - a feed **in** the journal with no set lost its set (a shard flushed, replaced, or
///   restarted without persistence): its entries are sent (duplicates, never a loss).
///
/// A feed enters the journal at its first successful poll, before its entries are known to be
/// stored: after a restart that follows a failed first write, the feed's entries are sent
/// rather than recorded again (the backlog may go out; nothing published since is lost).
///
/// The file (`first-polls` in the state directory) is an 8-byte header and then one 8-byte
/// little-endian feed id per record, appended on a serial queue of its own (never the
/// cooperative pool) and synced to disk at most once a second. A torn last record (a crash
/// during a write) is dropped at load. An exclusive `flock` keeps a second daemon off the
/// same directory.
///
/// `@unchecked Sendable`: `members` and `pendingWrites` are guarded by their mutexes;
/// `lastSync` and `length` are touched only on `queue` (and in `init` and `deinit`, when
/// nothing else holds the journal); everything else is immutable.
public final class FirstPollJournal: @unchecked Sendable {
    /// Why the journal cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The journal's file.
    public let path: String
    private let members: Mutex<Set<Int64>>
    private let queue = DispatchQueue(label: "hubdiffer.first-poll-journal")
    private let descriptor: Int32
    /// The file's length up to its last whole record (touched on `queue`, as `lastSync`).
    private var length: off_t
    private var lastSync = ContinuousClock.now
    private let pendingWrites = Mutex<[Int64]>([])

    static let fileName = "first-polls"
    static let header: [UInt8] = Array("HDFP0001".utf8)

    /// Opens (creating when needed) the journal in `directory`, loads it, and locks it.
    public init(directory: String) throws(Failure) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "state directory \(directory) cannot be created: \(error.localizedDescription); pass --state-dir DIR")
        }
        path = directory + "/" + Self.fileName
        let fd = try FileBytes.openStateFile(path).mapError { Failure(description: $0.description) }.get()
        do {
            try SystemCall.check(flock(fd, LOCK_EX | LOCK_NB))
        } catch {
            let reason = error.code == EWOULDBLOCK ? "another hubdiffer run uses it" : error.message
            close(fd)
            throw Failure(description: "\(path) is locked: \(reason); give each daemon its own --state-dir")
        }
        descriptor = fd
        do {
            let (feeds, length) = try Self.load(fd, path: path)
            members = Mutex(feeds)
            self.length = length
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        // Nothing else holds the journal now, so no block of the queue runs (they hold it
        // weakly): write what is left from here, whatever thread this is.
        writeOut(sync: true)
        // Synced just above (a failure said there): what close(2) returns adds nothing, and
        // Linux releases the descriptor whatever it says.
        close(descriptor)
    }

    /// Feeds in the journal.
    public var count: Int { members.withLock { $0.count } }

    /// Whether `feed` has had its first poll.
    public func contains(_ feed: Int64) -> Bool { members.withLock { $0.contains(feed) } }

    /// Records that `feed` has had its first poll (written to disk shortly; nothing when known).
    public func insert(_ feed: Int64) {
        guard members.withLock({ $0.insert(feed).inserted }) else { return }
        let schedule = pendingWrites.withLock { pending -> Bool in
            pending.append(feed)
            return pending.count == 1
        }
        if schedule { queue.async { [weak self] in self?.writeOut(sync: false) } }
    }

    /// Writes and syncs everything inserted so far (at shutdown); blocks the caller, so call it
    /// off the cooperative pool or where a short wait does not matter.
    public func flush() {
        queue.sync { self.writeOut(sync: true) }
    }

    // MARK: - The file

    private func writeOut(sync: Bool) {
        let feeds = pendingWrites.withLock { pending -> [Int64] in
            defer { pending.removeAll() }
            return pending
        }
        if !feeds.isEmpty {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(feeds.count * 8)
            for feed in feeds { withUnsafeBytes(of: feed.littleEndian) { bytes.append(contentsOf: $0) } }
            // At the end of the last whole record: a write that failed half-way (a full disk)
            // is overwritten by the next one, never left between records.
            do {
                try FileBytes.writeAll(descriptor, bytes, at: length)
                length += off_t(bytes.count)
            } catch {
                let reason = error.message
                pendingWrites.withLock { $0.insert(contentsOf: feeds, at: 0) }
                queue.asyncAfter(deadline: .now() + 5) { [weak self] in self?.writeOut(sync: false) }
                // Until then a restart would take these feeds for new (recorded, not sent) if
                // their sets were lost too.
                StandardErrorLine.write("hubdiffer: cannot append to \(path): \(reason)")
            }
        }
        let now = ContinuousClock.now
        if sync || now - lastSync >= .seconds(1) {
            do {
                try SystemCall.check(fdatasync(descriptor))
            } catch {
                // Not retried: after a failed sync Linux may report the next one as done with
                // the data lost all the same. What was written may not survive a crash.
                StandardErrorLine.write("hubdiffer: cannot sync \(path) to disk: \(error.message)")
            }
            lastSync = now
        } else if !feeds.isEmpty {
            queue.asyncAfter(deadline: .now() + 1) { [weak self] in self?.writeOut(sync: true) }
        }
    }

    /// The feeds of the file and its length up to the last whole record.
    private static func load(_ fd: Int32, path: String) throws(Failure) -> (Set<Int64>, off_t) {
        let bytes: [UInt8]
        do { bytes = try FileBytes.readAll(fd) } catch {
            throw Failure(description: "\(path) cannot be read: \(error.message)")
        }
        if bytes.isEmpty {
            do {
                try FileBytes.writeAll(fd, header, at: 0)
            } catch {
                throw Failure(description: "\(path) cannot be written: \(error.message)")
            }
            return ([], off_t(header.count))
        }
        guard bytes.count >= header.count, Array(bytes[..<header.count]) == header else {
            throw Failure(description: "\(path) is not a hubdiffer first-poll journal (move it away to start afresh)")
        }
        let records = (bytes.count - header.count) / 8
        var feeds = Set<Int64>(minimumCapacity: records)
        bytes.withUnsafeBytes { raw in
            for index in 0..<records {
                feeds.insert(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: header.count + index * 8, as: Int64.self)))
            }
        }
        let whole = off_t(header.count + records * 8)
        if off_t(bytes.count) != whole {  // a torn last record
            do {
                try SystemCall.check(ftruncate(fd, whole))
            } catch {
                // The torn bytes stay until the next append, written at `whole`, covers them;
                // till then a load drops them again.
            }
        }
        return (feeds, whole)
    }
}
