/// The exit statuses of `hubdiffer`, named as sysexits(3) names them, so that a status means
/// the same whatever the command.
public struct ExitStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// 0: done.
    public static let ok = ExitStatus(rawValue: 0)
    /// 1: what was asked about does not exist (a feed the daemon does not know), as `grep`
    /// answers 1 for no match. Not an error of the command itself.
    public static let notFound = ExitStatus(rawValue: 1)
    /// 64 (`EX_USAGE`): the command was used wrongly (a bad argument or option).
    public static let usage = ExitStatus(rawValue: 64)
    /// 65 (`EX_DATAERR`): the input is wrong (not a feed, a shard map with a bad line).
    public static let dataError = ExitStatus(rawValue: 65)
    /// 66 (`EX_NOINPUT`): an input file cannot be opened or read.
    public static let noInput = ExitStatus(rawValue: 66)
    /// 69 (`EX_UNAVAILABLE`): a server or service cannot be reached or used.
    public static let unavailable = ExitStatus(rawValue: 69)
    /// 70 (`EX_SOFTWARE`): an internal check failed.
    public static let software = ExitStatus(rawValue: 70)
    /// 73 (`EX_CANTCREAT`): a file or directory cannot be created.
    public static let cannotCreate = ExitStatus(rawValue: 73)
    /// 74 (`EX_IOERR`): writing failed.
    public static let ioError = ExitStatus(rawValue: 74)
    /// 75 (`EX_TEMPFAIL`): a passing failure (busy, or not recorded yet): try again.
    public static let temporaryFailure = ExitStatus(rawValue: 75)
    /// 77 (`EX_NOPERM`): permission refused (a control token missing or not accepted).
    public static let noPermission = ExitStatus(rawValue: 77)
    /// 78 (`EX_CONFIG`): the configuration cannot be used.
    public static let configuration = ExitStatus(rawValue: 78)
    /// 130 (128 + SIGINT): interrupted.
    public static let interrupted = ExitStatus(rawValue: 130)

    /// The number.
    public var description: String { String(rawValue) }
}
