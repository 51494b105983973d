import ArgumentParser
import DaemonKit
import Fetcher

/// The `hubdiffer` executable: finds the entries of a feed that a pubsub hub has not sent yet.
@main
struct HubDifferCommand: AsyncParsableCommand {
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
              hubdiffer feeds show 42
              hubdiffer version
            """,
        version: HubDifferVersion.current,
        subcommands: [
            RunCommand.self, ParseCommand.self, FetchCommand.self, BenchCommand.self, ShardsCommand.self, FeedsCommand.self,
            VersionCommand.self,
        ])

    static func main() async {
        AllocatorTuning.apply()
        StandardErrorLogging.bootstrap()
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
