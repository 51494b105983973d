import ArgumentParser
import DaemonKit

/// `hubdiffer feeds add ID URL`: PUT /feeds/ID.
struct FeedsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a feed to the running daemon, or change its URL or interval.",
        discussion: """
            Sends PUT /feeds/ID (url=URL, interval=S) to the control endpoint and prints the \
            daemon's answer: the feed is added (first poll within a few seconds), changed, \
            unchanged, or revived when it was gone. The daemon checks the ID, the URL and the \
            interval (its min-interval…max-interval) and refuses with a reason (status 65).

            \(FeedsCommand.exitStatusText)

            Examples:
              hubdiffer feeds add 42 https://example.com/feed.xml
              hubdiffer feeds add 42 https://example.com/feed.xml --interval 600
              hubdiffer feeds add 42 https://example.com/feed.xml --control 127.0.0.1:8425 --token-file control.token
            """)

    @OptionGroup var options: FeedsControlOptions

    @Argument(help: ArgumentHelp("The feed ID, from 0 to \(Int64.max).", valueName: "id"))
    var feedID: String

    @Argument(help: ArgumentHelp("The feed's URL (http or https).", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("Seconds between polls (default: the daemon's --interval).", valueName: "seconds"))
    var interval: Int?

    func validate() throws {
        _ = try FeedsArguments.feedID(feedID)
        if let interval, interval <= 0 { throw ValidationError("--interval \(interval): must be a positive number of seconds") }
    }

    func run() throws {
        let id = try FeedsArguments.feedID(feedID)
        var fields = [FormFields.Field(name: "url", value: url)]
        if let interval { fields.append(.init(name: "interval", value: String(interval))) }
        let control = try FeedsControl(options)
        let answer = try control.send(.put, "/feeds/\(id)", form: FormFields(fields), feed: id)
        print(FeedsControl.firstLine(answer.text))
    }
}
