import Glibc

enum FileDescriptorFlags {
    /// Sets `O_NONBLOCK` and `FD_CLOEXEC` on `fd` (for descriptors made without the flags,
    /// as `accept4` and `pipe2` are not visible through Glibc). fcntl(2) cannot fail on a
    /// valid descriptor with these commands.
    static func makeNonBlockingAndCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
    }
}
