/// Why a shard map, a server URL, an edit or a file operation was refused.
///
/// Each case reads as one line that says where (`shards.conf:7:` when a line is at fault), what
/// is wrong, and what to do next. No case carries a password or a raw URL, so no message can
/// show one.
public enum ShardMapError: Error, Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible
{
    // MARK: Lines of the file

    /// A range line has no server URL after the range.
    case missingURL(file: String, line: Int)
    /// The first field of a line is not `FIRST-LAST`. `text` is the field when it is safe to
    /// show (digits and punctuation only), else nil.
    case malformedRange(file: String, line: Int, text: String?)
    /// One side of `FIRST-LAST` is not a plain decimal number. `text` is that side when it is
    /// safe to show (digits and punctuation only), else nil.
    case malformedNumber(file: String, line: Int, text: String?)
    /// A feed ID is negative or above `Int64.max` (9223372036854775807).
    case idOutOfRange(file: String, line: Int, text: String)
    /// `FIRST` is greater than `LAST`.
    case reversedRange(file: String, line: Int, first: Int64, last: Int64)
    /// The range on `line` shares IDs with the range on `otherLine`.
    case overlappingRanges(
        file: String, line: Int, first: Int64, last: Int64,
        otherLine: Int, otherFirst: Int64, otherLast: Int64)
    /// The range on `line` is exactly the range on `otherLine`.
    case duplicateRange(file: String, line: Int, first: Int64, last: Int64, otherLine: Int)
    /// The server URL on `line` is malformed.
    case invalidURL(file: String, line: Int, problem: ShardURLProblem)
    /// Something other than a `#` comment follows the server URL (`column` counts from 1).
    case unexpectedText(file: String, line: Int, column: Int)
    /// The line is not valid UTF-8.
    case notUTF8(file: String, line: Int)

    // MARK: Server URLs outside a file

    /// A server URL given on its own (to ``ShardEndpoint/init(url:)``) is malformed.
    case invalidEndpoint(problem: ShardURLProblem)

    // MARK: Edits

    /// An edit named bounds outside `0...Int64.max`.
    case invalidBounds(first: Int64, last: Int64)
    /// An added range shares IDs with the range already on `line`.
    case overlapsExisting(
        file: String, first: Int64, last: Int64, line: Int, otherFirst: Int64, otherLast: Int64)
    /// No line of the map holds exactly this range.
    case noSuchRange(file: String, first: Int64, last: Int64)
    /// A split point outside `first+1...last`.
    case splitPointOutside(file: String, line: Int, first: Int64, last: Int64, at: Int64)
    /// Two ranges to merge do not touch (or are the same range).
    case notAdjacent(file: String, first: Int64, last: Int64, otherFirst: Int64, otherLast: Int64)
    /// Two ranges to merge are on different servers.
    case differentServers(
        file: String, line: Int, first: Int64, last: Int64,
        otherLine: Int, otherFirst: Int64, otherLast: Int64)

    // MARK: Files and the editor lock

    /// The file could not be opened or read.
    case cannotRead(path: String, reason: String)
    /// The file could not be written, synced or renamed into place; `reason` names the step,
    /// the system's error, what to do, and whether the file was changed.
    case cannotWrite(path: String, reason: String)
    /// Another process holds the editor lock (`pid` when the lock file names it).
    case lockHeld(path: String, pid: Int32?)
    /// The lock file could not be created or locked for another reason.
    case cannotLock(path: String, reason: String)

    /// The line number this error points at, when one line of the file is at fault.
    public var line: Int? {
        switch self {
        case .missingURL(_, let line), .malformedRange(_, let line, _),
            .malformedNumber(_, let line, _), .idOutOfRange(_, let line, _),
            .reversedRange(_, let line, _, _), .overlappingRanges(_, let line, _, _, _, _, _),
            .duplicateRange(_, let line, _, _, _), .invalidURL(_, let line, _),
            .unexpectedText(_, let line, _), .notUTF8(_, let line):
            return line
        default:
            return nil
        }
    }

    public var description: String {
        let maxID = Int64.max
        switch self {
        case .missingURL(let file, let line):
            return "\(file):\(line): the range has no server URL: write one after it, "
                + "as in `0-999  redis://127.0.0.1:6379/0`"
        case .malformedRange(let file, let line, let text):
            let found = text.map { " (found `\($0)`)" } ?? ""
            return "\(file):\(line): expected FIRST-LAST at the start of the line\(found): "
                + "write two feed IDs joined by '-' with no spaces, as in `0-999`, "
                + "and start comments with '#'"
        case .malformedNumber(let file, let line, let text):
            let what =
                text.map { "`\($0)` is not a decimal feed ID" }
                ?? "FIRST-LAST holds something other than digits"
            return "\(file):\(line): \(what): "
                + "write digits only, with no sign, separators or spaces"
        case .idOutOfRange(let file, let line, let text):
            return "\(file):\(line): feed ID \(text) is outside 0-\(maxID): "
                + "use IDs from 0 to \(maxID)"
        case .reversedRange(let file, let line, let first, let last):
            return "\(file):\(line): range \(first)-\(last) is reversed (FIRST > LAST): "
                + "write it as \(last)-\(first)"
        case .overlappingRanges(
            let file, let line, let first, let last, let otherLine,
            let otherFirst, let otherLast):
            return "\(file):\(line): range \(first)-\(last) overlaps \(otherFirst)-\(otherLast) "
                + "on line \(otherLine): split or shrink one of them"
        case .duplicateRange(let file, let line, let first, let last, let otherLine):
            return "\(file):\(line): range \(first)-\(last) repeats line \(otherLine): "
                + "delete one of the two lines"
        case .invalidURL(let file, let line, let problem):
            return "\(file):\(line): bad server URL: \(problem)"
        case .unexpectedText(let file, let line, let column):
            return "\(file):\(line): unexpected text after the server URL at column \(column): "
                + "start comments with '#', and percent-encode spaces in a password as %20"
        case .notUTF8(let file, let line):
            return "\(file):\(line): the line is not valid UTF-8: save the file as UTF-8"
        case .invalidEndpoint(let problem):
            return "bad server URL: \(problem)"
        case .invalidBounds(let first, let last):
            return "range \(first)-\(last) is not valid: FIRST must be at most LAST, "
                + "and both must lie in 0-\(maxID)"
        case .overlapsExisting(
            let file, let first, let last, let line, let otherFirst,
            let otherLast):
            return "cannot add \(first)-\(last): it overlaps \(otherFirst)-\(otherLast) on line "
                + "\(line) of \(file): choose IDs in a gap, or split or remove "
                + "\(otherFirst)-\(otherLast) first"
        case .noSuchRange(let file, let first, let last):
            return "\(file) has no range \(first)-\(last): name a range exactly as one line "
                + "lists it (FIRST-LAST)"
        case .splitPointOutside(let file, let line, let first, let last, let at):
            if first == last {
                return "\(file):\(line): cannot split \(first)-\(last): it holds a single ID"
                    + "; split a wider range"
            }
            return "\(file):\(line): cannot split \(first)-\(last) at \(at): the split point "
                + "must lie in \(first + 1)-\(last) (the halves are FIRST-(AT-1) and AT-LAST)"
        case .notAdjacent(let file, let first, let last, let otherFirst, let otherLast):
            if first == otherFirst && last == otherLast {
                return "\(file): cannot merge \(first)-\(last) with itself: "
                    + "name two neighbouring ranges"
            }
            return "\(file): cannot merge \(first)-\(last) and \(otherFirst)-\(otherLast): they "
                + "are not adjacent (one must end right before the other starts); "
                + "add a range for the IDs between them first"
        case .differentServers(
            let file, let line, let first, let last, let otherLine,
            let otherFirst, let otherLast):
            return "\(file): cannot merge \(first)-\(last) (line \(line)) and "
                + "\(otherFirst)-\(otherLast) (line \(otherLine)): they are on different "
                + "servers; move one to the other's server first"
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(reason): check the path and its permissions"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .lockHeld(let path, let pid):
            let holder = pid.map { "pid \($0)" } ?? "pid unknown"
            return "another editor holds \(path) (\(holder)): wait for it to finish, "
                + "then try again"
        case .cannotLock(let path, let reason):
            return "cannot lock \(path): \(reason): check that its directory is writable"
        }
    }

    public var debugDescription: String { "ShardMapError(\(description))" }
}

/// What is wrong with a server URL. The description says what to write instead and never
/// repeats the URL's text beyond a scheme, a port or a database made of safe characters.
public enum ShardURLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL does not start with `redis://` (`found` is the scheme when one is readable).
    case unsupportedScheme(found: String?)
    /// The URL contains a space or a control character.
    case forbiddenCharacter
    /// The URL has a `?query` or a `#fragment`.
    case queryOrFragment
    /// The user-info part names a user (`user:password@` or `user@`).
    case userName
    /// The user-info part is `:@`: a colon with no password.
    case emptyPassword
    /// The password has a `%` not followed by two hex digits, or decodes to invalid UTF-8.
    case badPasswordEscape
    /// No host after `redis://`.
    case missingHost
    /// The host has characters a host name or IP address cannot have.
    case invalidHost
    /// A `:` with no port after it.
    case emptyPort
    /// The port is not a decimal number.
    case invalidPort
    /// The port (shown, digits only) is outside 1...65535.
    case portOutOfRange(String)
    /// The path is not `/N` with a decimal N.
    case invalidDatabase
    /// The database number (shown, digits only) is outside 0...15.
    case databaseOutOfRange(String)

    public var description: String {
        switch self {
        case .unsupportedScheme(let found):
            let shown = found.map { " (found `\($0)://`)" } ?? ""
            return "the URL must start with redis://\(shown): write "
                + "redis://[:PASSWORD@]HOST[:PORT][/DB]; TLS and unix sockets are not supported"
        case .forbiddenCharacter:
            return "the URL contains a space or a control character: percent-encode it in the "
                + "password (a space is %20)"
        case .queryOrFragment:
            return "the URL has a '?' or a '#': options are not supported; in a password write "
                + "them as %3F and %23"
        case .userName:
            return "user names are not supported: write the password alone, as in "
                + "redis://:PASSWORD@HOST:PORT/DB"
        case .emptyPassword:
            return "the password after ':' is empty: write the password, or drop ':@'"
        case .badPasswordEscape:
            return "the password has a bad %-escape: write each reserved character as '%' and "
                + "two hex digits of UTF-8 (%40 for '@', %25 for '%')"
        case .missingHost:
            return "the URL has no host: write redis://HOST:PORT/DB"
        case .invalidHost:
            return "the host may hold only letters, digits, '-', '.' and '_': write a host name "
                + "or an IPv4 address, or an IPv6 address in brackets as in [::1]"
        case .emptyPort:
            return "the port after ':' is empty: write a port from 1 to 65535, "
                + "or drop the ':' for the default 6379"
        case .invalidPort:
            return "the port is not a number: write a port from 1 to 65535"
        case .portOutOfRange(let text):
            return "port \(text) is outside 1-65535: write a port from 1 to 65535"
        case .invalidDatabase:
            return "the path must be /DB with a database number from 0 to 15, and nothing else"
        case .databaseOutOfRange(let text):
            return "database \(text) is outside 0-15: write a database number from 0 to 15"
        }
    }
}
