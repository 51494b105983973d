import DaemonKit
import ArgumentParser
import Foundation

/// Reads a document named on the command line, never more than a bound.
enum DocumentReader {
    /// The bytes of `path` ('-' is standard input), at most `limit + 1` of them so that a
    /// document over the limit is still refused by the parser rather than read whole.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                StandardError.line("\(path): cannot open the file: check the path and its permissions")
                throw ExitCode(66)
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            return [UInt8](data)
        } catch {
            StandardError.line("\(path): cannot read: \(error.localizedDescription)")
            throw ExitCode(66)
        }
    }
}
