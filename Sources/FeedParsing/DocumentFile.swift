import Foundation

/// A feed document named on the command line: a file, or `-` for standard input.
public enum DocumentFile {
    /// The bytes of `path` ('-' is standard input), at most `limit + 1` of them, so that a
    /// document over the limit is still refused by the parser (as too large) rather than
    /// read whole.
    public static func read(_ path: String, limit: Int) throws(DocumentFileError) -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else { throw .cannotOpen(path: path) }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        do {
            return [UInt8](try handle.read(upToCount: limit + 1) ?? Data())
        } catch {
            throw .cannotRead(path: path, reason: error.localizedDescription)
        }
    }
}

/// Why a document could not be read.
public enum DocumentFileError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened.
    case cannotOpen(path: String)
    /// Reading failed (the system's reason).
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "\(path): cannot open the file: check the path and its permissions"
        case .cannotRead(let path, let reason): "\(path): cannot read: \(reason)"
        }
    }
}
