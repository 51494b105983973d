import ArgumentParser
import DaemonKit

/// `hubdiffer feeds remove ID`: DELETE /feeds/ID.
struct FeedsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a feed from the running daemon.",
        discussion: """
            Sends DELETE /feeds/ID to the control endpoint and prints the daemon's answer. A feed \
            the daemon does not know ends with status 1.

            \(FeedsCommand.exitStatusText)

            Examples:
              hubdiffer feeds remove 42
              hubdiffer feeds remove 42 --control [::1]:8425 --token-file /etc/hubdiffer/control.token
            """)

    @OptionGroup var options: FeedsControlOptions

    @Argument(help: ArgumentHelp("The feed ID.", valueName: "id"))
    var feedID: String

    func validate() throws {
        _ = try FeedsArguments.feedID(feedID)
    }

    func run() throws {
        let id = try FeedsArguments.feedID(feedID)
        let control = try FeedsControl(options)
        let answer = try control.send(.delete, "/feeds/\(id)", feed: id)
        print(FeedsControl.firstLine(answer.text))
    }
}
