import Logging
import Synchronization

/// A log handler that keeps every message, for tests that check what was logged.
public final class LogRecord: Sendable {
    private let entries = Mutex<[(level: Logger.Level, message: String)]>([])

    public init() {}

    /// A logger at `level` writing here.
    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "test") { _ in RecordingLogHandler(record: self) }
        logger.logLevel = level
        return logger
    }

    public func append(_ level: Logger.Level, _ message: String) {
        entries.withLock { $0.append((level, message)) }
    }

    /// The messages logged at `level`.
    public func messages(at level: Logger.Level) -> [String] {
        entries.withLock { $0.filter { $0.level == level }.map(\.message) }
    }
}

public struct RecordingLogHandler: LogHandler {
    let record: LogRecord
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        record.append(event.level, event.message.description)
    }
}

/// A logger that drops everything.
public let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
