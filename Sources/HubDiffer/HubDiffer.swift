import ArgumentParser

@main
struct HubDifferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hubdiffer")
}
