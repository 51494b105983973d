import Foundation
import Glibc

extension Pipe {
    /// A pipe whose two descriptors close on exec: tests start child processes from many
    /// threads at once, and a child started by another test between this pipe's creation and
    /// its own child's start would otherwise inherit both ends. A long-lived inheritor (a
    /// redis-server, a daemon) then keeps the write end open, and a reader waits for an end
    /// of file that never comes (seen: `hubdiffer parse -` waiting on its standard input). The
    /// child this pipe is meant for still gets its end: `dup2` onto 0, 1 or 2 clears the flag.
    public static func closingOnExec() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            let flags = fcntl(descriptor, F_GETFD)
            precondition(flags >= 0 && fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) == 0, "fcntl(FD_CLOEXEC) failed: errno \(errno)")
        }
        return pipe
    }
}
