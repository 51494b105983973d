import Foundation
import Logging

/// The program's logging: every logger writes to standard error (standard output carries
/// entries and JSON), at the level `HUBDIFFER_LOG_LEVEL` names (trace … critical; default
/// info).
public enum StandardErrorLogging {
    /// Bootstraps swift-log once, at the start of the process.
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let level = environment["HUBDIFFER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
