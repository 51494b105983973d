#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCalls

/// The few POSIX file operations the shard map needs, with errors as readable text.
///
/// Every libc result of the shard map goes through `SystemCall.check` (target SystemCalls).
enum FileSystem {
    /// `strerror` of an errno value: "No such file or directory".
    static func message(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Closes a descriptor no data that matters was written through (a file read, a
    /// directory, the editor lock, whose PID is only informative) or one abandoned after a
    /// failure already reported. What close(2) returns is no error then: Linux releases the
    /// descriptor whatever it says, and no data depends on it. The new `shards.conf` is closed
    /// with `SystemCall.check` instead.
    static func closeUnwritten(_ fd: Int32) {
        SystemCall.close(fd)
    }

    /// The whole file, or the reason it cannot be read.
    static func readAll(_ path: String) -> Result<[UInt8], ShardMapError> {
        let fd: Int32
        do {
            fd = try SystemCall.check(open(path, O_RDONLY | O_CLOEXEC))
        } catch {
            return .failure(.cannotRead(path: path, reason: error.message))
        }
        defer { closeUnwritten(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count: Int
            do {
                count = try SystemCall.check(chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) })
            } catch {
                if error.code == EINTR { continue }
                return .failure(.cannotRead(path: path, reason: error.message))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemCallFailure) {
        var offset = 0
        while offset < bytes.count {
            do {
                offset += try SystemCall.check(bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) })
            } catch where error.code == EINTR {
                continue
            }
        }
    }

    /// The 1-based number of the first line that is not valid UTF-8 (1 when none is found).
    static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let index = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil }
        return (index ?? 0) + 1
    }

    /// The path a symbolic link points to (so that writing replaces the file, not the link);
    /// the path itself when it is not a link or cannot be resolved.
    static func resolvingSymlink(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK,
            let resolved = realpath(path, nil)
        else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `dir/name` → (`dir`, `name`); a bare name lies in `.`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// `directory/name`, without doubling the `/` of the root.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
