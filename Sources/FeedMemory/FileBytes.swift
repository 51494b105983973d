import Glibc
import SystemCalls

/// Whole-file reads and positioned writes for the state directory's files, retried on EINTR.
enum FileBytes {
    /// Opens (creating when needed) a file of the state directory for reading and writing;
    /// the error says what to do.
    static func openStateFile(_ path: String) -> Result<Int32, StateFileFailure> {
        do {
            return .success(try SystemCall.check(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)))
        } catch {
            return .failure(StateFileFailure(description: "\(path) cannot be opened: \(error.message); pass --state-dir DIR"))
        }
    }

    struct StateFileFailure: Error {
        let description: String
    }

    /// Writes all of `bytes` at `position`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at position: off_t) throws(SystemCallFailure) {
        var offset = 0
        while offset < bytes.count {
            do {
                offset += try SystemCall.check(
                    bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, $0.count - offset, position + off_t(offset)) })
            } catch where error.code == EINTR {
                continue
            }
        }
    }

    /// Everything from the descriptor's position to its end.
    static func readAll(_ fd: Int32) throws(SystemCallFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count: Int
            do {
                count = try SystemCall.check(chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) })
            } catch where error.code == EINTR {
                continue
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Replaces `path` with `bytes` atomically: written to a temporary file beside it, synced,
    /// renamed over it, and the directory synced, so a crash leaves the old file or the new one.
    static func replace(_ path: String, with bytes: [UInt8]) throws(SystemCallFailure) {
        close(try replaceKeepingOpen(path, with: bytes))
    }

    /// `replace`, returning the new file open for reading and writing: opened before the
    /// rename, so once this returns, what is written through it lands in the file named `path`.
    static func replaceKeepingOpen(_ path: String, with bytes: [UInt8]) throws(SystemCallFailure) -> Int32 {
        let temporary = path + ".new"
        let fd = try SystemCall.check(open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600))
        do {
            try writeAll(fd, bytes, at: 0)
            try SystemCall.check(fdatasync(fd))
            try SystemCall.check(rename(temporary, path))
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        do { try syncDirectory(of: path) } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Syncs the directory holding `path` (a rename is durable once its directory is).
    static func syncDirectory(of path: String) throws(SystemCallFailure) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = try SystemCall.check(open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
        defer { close(fd) }
        try SystemCall.check(fsync(fd))
    }
}
