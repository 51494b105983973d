import ArgumentParser

/// The `hubdiffer` executable: finds the entries of a feed that a pubsub hub has not sent yet.
@main
struct HubDifferCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "hubdiffer",
        abstract: "Find the new entries of feeds, for a pubsub hub.",
        discussion: """
            Examples:
              hubdiffer parse feed.xml --url https://example.com/feed.xml
              hubdiffer parse --summary feeds/*
              hubdiffer version
            """,
        version: version,
        subcommands: [ParseCommand.self, VersionCommand.self])

    static func main() {
        AllocatorTuning.apply()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
