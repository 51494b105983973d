import ArgumentParser
import DaemonKit

extension ExitCode {
    /// Ends the command with a named status.
    init(_ status: ExitStatus) { self.init(status.rawValue) }
}
