import ArgumentParser
import DaemonKit
import Foundation
import HubDaemon

/// `hubdiffer feeds failing`: GET /feeds?state=failing (or gone), as a table or the raw JSON.
struct FeedsFailingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failing",
        abstract: "List the feeds whose polls fail (or, with --gone, the feeds gone for good).",
        discussion: """
            Sends GET /feeds?state=failing (state=gone with --gone) to the control endpoint and \
            prints a table, most errors in a row first: ID, ERRORS (in a row), LAST OUTCOME, \
            NEXT POLL (how long ahead) and URL, then a line `N of TOTAL failing feeds`. Page \
            with --limit and --offset. --json prints the daemon's JSON object as received.

            \(FeedsCommand.exitStatusText)

            Examples:
              hubdiffer feeds failing
              hubdiffer feeds failing --limit 50 --offset 50
              hubdiffer feeds failing --gone --json | jq -r '.feeds[].url'
            """)

    @OptionGroup var options: FeedsControlOptions

    @Flag(help: "List the feeds gone for good (410, or removed by the daemon) instead.")
    var gone = false

    @Option(help: ArgumentHelp("At most this many feeds (default: the daemon's page size).", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Skip this many feeds first.", valueName: "k"))
    var offset: Int?

    @Flag(help: "Print the daemon's JSON object as received.")
    var json = false

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit \(limit): must be 1 or more") }
        if let offset, offset < 0 { throw ValidationError("--offset \(offset): must be 0 or more") }
    }

    func run() throws {
        var query = [FormFields.Field(name: "state", value: state)]
        if let limit { query.append(.init(name: "limit", value: String(limit))) }
        if let offset { query.append(.init(name: "offset", value: String(offset))) }
        let control = try FeedsControl(options)
        let answer = try control.send(.get, "/feeds?\(FormFields(query).encoded)")
        let page = try control.object(answer)
        if json {
            print(answer.text, terminator: answer.text.hasSuffix("\n") ? "" : "\n")
        } else {
            print(Self.table(page, state: state, text: FeedsText()).joined(separator: "\n"))
        }
    }

    private var state: String { gone ? "gone" : "failing" }

    /// The table's lines and the count line.
    static func table(_ page: [String: Any], state: String, text: FeedsText) -> [String] {
        let feeds = (page[FeedStatusField.feeds] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        let total = page.integer(FeedStatusField.total) ?? feeds.count
        let offset = page.integer(FeedStatusField.offset) ?? 0
        var lines: [String] = []
        if !feeds.isEmpty {
            let rows = feeds.map { feed in
                [
                    feed.integer(FeedStatusField.id).map(String.init) ?? "-",
                    String(feed.integer(FeedStatusField.consecutiveErrors) ?? 0),
                    feed.string(FeedStatusField.lastOutcomeDetail) ?? feed.string(FeedStatusField.lastOutcome) ?? "-",
                    feed.string(FeedStatusField.nextPoll).map(text.relative) ?? "-",
                    feed.string(FeedStatusField.url) ?? "-",
                ]
            }
            lines = ShardsText.table([["ID", "ERRORS", "LAST OUTCOME", "NEXT POLL", "URL"]] + rows, rightAligned: [0, 1])
        }
        var count = "\(feeds.count) of \(total) \(state) feed\(total == 1 ? "" : "s")"
        if offset > 0 { count += " (from offset \(offset))" }
        if offset + feeds.count < total, !feeds.isEmpty { count += "; --offset \(offset + feeds.count) for more" }
        lines.append(count)
        return lines
    }
}
