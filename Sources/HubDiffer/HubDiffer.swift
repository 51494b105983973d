import DaemonKit
import ArgumentParser
import Foundation
import Logging

/// The `hubdiffer` executable: finds the entries of a feed that a pubsub hub has not sent yet.
@main
struct HubDifferCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "hubdiffer",
        abstract: "Find the new entries of feeds, for a pubsub hub.",
        discussion: """
            Examples:
              hubdiffer run --feeds feeds.txt --shards shards.conf
              hubdiffer parse feed.xml --url https://example.com/feed.xml
              hubdiffer parse --summary feeds/*
              hubdiffer fetch 42 https://example.com/feed.xml
              hubdiffer bench store --redis redis://127.0.0.1:6379/15 --flush
              hubdiffer shards list
              hubdiffer version
            """,
        version: version,
        subcommands: [RunCommand.self, ParseCommand.self, FetchCommand.self, BenchCommand.self, ShardsCommand.self, VersionCommand.self])

    static func main() async {
        AllocatorTuning.apply()
        // Logs go to standard error (standard output carries entries and JSON), at the level
        // HUBDIFFER_LOG_LEVEL names (trace … critical; default info).
        let level = ProcessInfo.processInfo.environment["HUBDIFFER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
