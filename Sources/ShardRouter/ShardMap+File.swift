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
        let bytes = try FileSystem.readAll(path).get()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .notUTF8(file: path, line: FileSystem.firstInvalidUTF8Line(bytes))
        }
        return try ShardMap(parsing: text, fileName: path)
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
        var fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .cannotWrite(
                path: path,
                reason: "cannot create a temporary file in \(directory) "
                    + "(\(FileSystem.message(errno))): check that the directory exists and is "
                    + "writable; the file was not changed")
        }
        func abandon(_ step: String, _ code: Int32) -> ShardMapError {
            if fd >= 0 { close(fd) }
            unlink(temporary)
            return .cannotWrite(
                path: path,
                reason: "\(step) failed (\(FileSystem.message(code))): check the disk space and "
                    + "permissions; the file was not changed")
        }

        if exists { _ = fchown(fd, existing.st_uid, existing.st_gid) }  // best effort
        guard fchmod(fd, mode) == 0 else { throw abandon("setting permissions", errno) }
        if let code = FileSystem.writeAll(fd, Array(rendered().utf8)) {
            throw abandon("writing the temporary file", code)
        }
        guard fsync(fd) == 0 else { throw abandon("syncing the temporary file", errno) }
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw abandon("closing the temporary file", errno) }
        guard rename(temporary, target) == 0 else {
            throw abandon("renaming the temporary file over it", errno)
        }
        try Self.syncDirectory(directory, of: path)
    }

    /// `fsync` on a directory, so that a rename in it survives a crash.
    private static func syncDirectory(_ directory: String, of path: String) throws(ShardMapError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        var code: Int32 = 0
        if fd < 0 {
            code = errno
        } else {
            if fsync(fd) != 0 { code = errno }
            close(fd)
        }
        // Some file systems cannot sync a directory (EINVAL): nothing more can be done there.
        guard code != 0, code != EINVAL else { return }
        throw .cannotWrite(
            path: path,
            reason: "the new file is in place, but syncing \(directory) failed "
                + "(\(FileSystem.message(code))): run `sync` before relying on it after a crash")
    }
}
