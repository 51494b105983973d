import SystemCalls
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The editor lock: one editor of `shards.conf` at a time, with `flock` on `shards.conf.lock`.
///
/// The kernel drops an `flock` when its holder exits, even on a crash, so a lock is never
/// stale. The lock file stays in place (deleting it would let two editors lock two different
/// files); while held, it holds the holder's process ID, shown to a refused editor.
extension ShardMap {
    /// Runs `body` while holding the exclusive editor lock of `path` (the file
    /// `path + ".lock"`, created when missing). A second editor, in this process or another,
    /// is refused at once rather than kept waiting. The lock is released when `body` returns
    /// or throws.
    ///
    /// - Throws: ``ShardMapError/lockHeld(path:pid:)`` when another editor holds the lock,
    ///   ``ShardMapError/cannotLock(path:reason:)`` when the lock file cannot be opened or
    ///   locked, or what `body` throws.
    public static func withExclusiveLock<T, E: Error>(
        path: String, _ body: () throws(E) -> T
    ) throws -> T {
        let lock = try EditorLock.acquire(path + ".lock")
        defer { lock.release() }
        return try body()
    }

    /// Under the editor lock: loads the map at `path`, applies `edit`, and writes the result
    /// back atomically when it differs. Returns the edited map.
    ///
    /// - Throws: any ``ShardMapError`` of locking, loading, the edit, or writing; the file is
    ///   unchanged whenever one is thrown before the write.
    public static func editFile(
        at path: String, _ edit: (ShardMap) throws(ShardMapError) -> ShardMap
    ) throws(ShardMapError) -> ShardMap {
        let lock = try EditorLock.acquire(path + ".lock")
        defer { lock.release() }
        let map = try load(from: path)
        let edited = try edit(map)
        if edited.rendered() != map.rendered() { try edited.write(to: path) }
        return edited
    }
}

/// The editor lock of one shard map, held across many steps (`hubdiffer shards move` holds it
/// from its first copy to its last delete). Released when the value is deinitialized.
public final class ShardMapEditorLock: Sendable {
    /// The map file the lock guards.
    public let path: String
    private let lock: EditorLock

    /// Takes the editor lock of the map at `path` without waiting.
    ///
    /// - Throws: ``ShardMapError/lockHeld(path:pid:)`` when another editor holds it, or
    ///   ``ShardMapError/cannotLock(path:reason:)``.
    public init(path: String) throws(ShardMapError) {
        self.path = path
        lock = try EditorLock.acquire(path + ".lock")
    }

    deinit { lock.release() }
}

extension ShardMap {
    /// ``editFile(at:_:)`` under a lock the caller already holds.
    public static func editFile(
        holding lock: ShardMapEditorLock, _ edit: (ShardMap) throws(ShardMapError) -> ShardMap
    ) throws(ShardMapError) -> ShardMap {
        let map = try load(from: lock.path)
        let edited = try edit(map)
        if edited.rendered() != map.rendered() { try edited.write(to: lock.path) }
        return edited
    }
}

/// A held `flock` on a lock file.
struct EditorLock: Sendable {
    let fd: Int32

    /// Opens (creating) and locks `path` without waiting, then writes this process's ID in it.
    static func acquire(_ path: String) throws(ShardMapError) -> EditorLock {
        let fd: Int32
        do {
            fd = try SystemCall.check(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644))
        } catch {
            throw .cannotLock(path: path, reason: error.message)
        }
        do {
            try SystemCall.check(flock(fd, LOCK_EX | LOCK_NB))
        } catch {
            defer { FileSystem.closeUnwritten(fd) }
            if error.code == EWOULDBLOCK { throw .lockHeld(path: path, pid: holderPID(fd)) }
            throw .cannotLock(path: path, reason: error.message)
        }
        let pid = Array("\(getpid())\n".utf8)
        do {
            try SystemCall.check(ftruncate(fd, 0))
            try SystemCall.check(pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) })
        } catch {
            // The PID is for a refused editor's message only: the lock holds all the same, and
            // that editor is told no PID (or one that holderPID cannot read).
        }
        return EditorLock(fd: fd)
    }

    /// Empties the lock file, unlocks it and closes it. No step can fail in a way that
    /// matters: closing drops the lock whatever flock(2) said, and a PID left in the file is
    /// read only while another editor holds the lock, which writes its own first.
    func release() {
        do {
            try SystemCall.check(ftruncate(fd, 0))
            try SystemCall.check(flock(fd, LOCK_UN))
        } catch {
            // As said above: the close below releases the lock regardless.
        }
        FileSystem.closeUnwritten(fd)
    }

    /// The process ID written in the lock file by its holder, when readable.
    private static func holderPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return Int32(text.trimmingPrefix(while: { $0 == " " }).prefix { $0.isNumber })
    }
}
