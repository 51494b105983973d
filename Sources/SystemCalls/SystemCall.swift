import Glibc

/// A libc call that failed: its name and `errno`, read once, right after the call.
public struct SystemCallFailure: Error {
    /// The call: `accept4`, `setsockopt(SO_REUSEADDR)`.
    public let call: String
    /// `errno` as the call left it.
    public let code: Int32

    /// EAGAIN (EWOULDBLOCK): a non-blocking descriptor has nothing now.
    public var wouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }
    /// EINTR: a signal came first; the call can be made again.
    public var interrupted: Bool { code == EINTR }
    /// `strerror` of ``code``.
    public var message: String { String(cString: strerror(code)) }
}

/// The one place the program judges what libc returned: a negative result is a failure, and
/// `errno` is read then, once, before anything else can change it. What a failure means is
/// decided where it is caught.
public enum SystemCall {
    /// `result` — a descriptor, a byte count, 0 — when the call succeeded.
    @discardableResult
    public static func check<Result: SignedInteger>(
        _ result: Result, _ call: @autoclosure () -> String = "a system call"
    ) throws(SystemCallFailure)
        -> Result
    {
        guard result < 0 else { return result }
        let code = errno
        throw SystemCallFailure(call: call(), code: code)
    }

    /// Closes `fd`. What close(2) returns is no error here: Linux releases the descriptor even
    /// when it reports one (EINTR, EIO), so it must not be closed again, and DaemonKit closes
    /// only sockets, pipes and descriptors nothing that matters was written through, whose data
    /// does not depend on it (a file written is closed with ``check(_:_:)`` instead).
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
