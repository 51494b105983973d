import Foundation

/// One-line messages for people, on standard error (logs go through swift-log; this is for
/// what a command tells the person who ran it).
public enum StandardError {
    /// Writes `message` and a line break to standard error.
    public static func line(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
