import SystemCalls
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading `shards.conf`, and writing it back so that a crash leaves either the old file or
/// the new one, never a mix.
extension ShardMap {
    /// Reads and parses a shard map file; messages name it by `path`.
    ///
    /// - Throws: ``ShardMapError/cannotRead(path:reason:)``,
    ///   ``ShardMapError/notUTF8(file:line:)``, or any problem of the text.
    public static func load(from path: String) throws(ShardMapError) -> ShardMap {
        try load(bytes: FileSystem.readAll(path).get(), fileName: path)
    }

    /// The map in `bytes`, the content of the file `fileName` read already.
    ///
    /// - Throws: ``ShardMapError/notUTF8(file:line:)``, or any problem of the text.
    public static func load(bytes: [UInt8], fileName: String) throws(ShardMapError) -> ShardMap {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .notUTF8(file: fileName, line: FileSystem.firstInvalidUTF8Line(bytes))
        }
        return try ShardMap(parsing: text, fileName: fileName)
    }

    /// Writes ``rendered()`` to `path` atomically: a temporary file in the same directory is
    /// written and `fsync`ed, renamed over the target, and the directory is `fsync`ed.
    ///
    /// An existing file keeps its permission bits (and its owner and group when this process
    /// may set them); a new file is created `0600`, as it may hold passwords. When `path` is
    /// a symbolic link, the file it points to is replaced and the link stays. On failure
    /// before the rename, the target is untouched and the temporary file is removed.
    ///
    /// - Throws: ``ShardMapError/cannotWrite(path:reason:)`` naming the step that failed.
    public func write(to path: String) throws(ShardMapError) {
        let target = FileSystem.resolvingSymlink(path)
        let (directory, name) = FileSystem.split(target)
        var existing = stat()
        let exists = stat(target, &existing) == 0
        let mode: mode_t = exists ? existing.st_mode & 0o7777 : 0o600

        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        let temporary = FileSystem.join(directory, ".\(name).tmp-\(getpid())-\(suffix)")
        var fd: Int32
        do {
            fd = try SystemCall.check(open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600))
        } catch {
            throw .cannotWrite(
                path: path,
                reason: "cannot create a temporary file in \(directory) "
                    + "(\(error.message)): check that the directory exists and is "
                    + "writable; the file was not changed")
        }
        func abandon(_ step: String, _ failure: SystemCallFailure) -> ShardMapError {
            if fd >= 0 { FileSystem.closeUnwritten(fd) }
            do {
                try SystemCall.check(unlink(temporary))
            } catch {
                // Clean-up after the failure reported: a temporary file that stays is named
                // after its process and harms nothing; the first failure is the one to tell.
            }
            return .cannotWrite(
                path: path,
                reason: "\(step) failed (\(failure.message)): check the disk space and "
                    + "permissions; the file was not changed")
        }

        if exists {
            do {
                try SystemCall.check(fchown(fd, existing.st_uid, existing.st_gid))
            } catch {
                // Best effort: only a privileged process may give a file away; the new file
                // then belongs to this process, and keeps the old permission bits (below).
            }
        }
        var step = "setting permissions"
        do throws(SystemCallFailure) {
            try SystemCall.check(fchmod(fd, mode))
            step = "writing the temporary file"
            try FileSystem.writeAll(fd, Array(rendered().utf8))
            step = "syncing the temporary file"
            try SystemCall.check(fsync(fd))
            step = "closing the temporary file"
            let closed = close(fd)
            fd = -1  // released even when close(2) fails
            try SystemCall.check(closed)
            step = "renaming the temporary file over it"
            try SystemCall.check(rename(temporary, target))
        } catch {
            throw abandon(step, error)
        }
        try Self.syncDirectory(directory, of: path)
    }

    /// `fsync` on a directory, so that a rename in it survives a crash.
    private static func syncDirectory(_ directory: String, of path: String) throws(ShardMapError) {
        do throws(SystemCallFailure) {
            let fd = try SystemCall.check(open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
            defer { FileSystem.closeUnwritten(fd) }
            try SystemCall.check(fsync(fd))
        } catch {
            // Some file systems cannot sync a directory (EINVAL): nothing more can be done there.
            guard error.code != EINVAL else { return }
            throw .cannotWrite(
                path: path,
                reason: "the new file is in place, but syncing \(directory) failed "
                    + "(\(error.message)): run `sync` before relying on it after a crash")
        }
    }
}
