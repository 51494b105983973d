import ArgumentParser
import DaemonKit
import Foundation
import HubDaemon

/// `hubdiffer feeds show ID`: GET /feeds/ID, as a summary or the raw JSON.
struct FeedsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show what the running daemon knows of a feed: its state, polls and errors.",
        discussion: """
            Sends GET /feeds/ID to the control endpoint and prints one line a fact: the URL (and \
            the URL polled, when a permanent redirect was adopted), the state (active, \
            backing_off, throttled, gone) with the errors in a row, the interval, the next and \
            last polls (UTC, and how long ahead or ago) with the last outcome and error, the \
            last new entry, the validators (ETag, Last-Modified), the shard and the entries \
            stored. --json prints the daemon's JSON object as received.

            \(FeedsCommand.exitStatusText)

            Examples:
              hubdiffer feeds show 42
              hubdiffer feeds show 42 --json | jq .last_error
            """)

    @OptionGroup var options: FeedsControlOptions

    @Argument(help: ArgumentHelp("The feed ID.", valueName: "id"))
    var feedID: String

    @Flag(help: "Print the daemon's JSON object as received.")
    var json = false

    func validate() throws {
        _ = try FeedsArguments.feedID(feedID)
    }

    func run() throws {
        let id = try FeedsArguments.feedID(feedID)
        let control = try FeedsControl(options)
        let answer = try control.send(.get, "/feeds/\(id)", feed: id)
        let feed = try control.object(answer)
        if json {
            print(answer.text, terminator: answer.text.hasSuffix("\n") ? "" : "\n")
        } else {
            print(Self.summary(feed, id: id, text: FeedsText()).joined(separator: "\n"))
        }
    }

    /// The summary's lines: `feed ID`, then `label:` and value, the values in one column.
    static func summary(_ feed: [String: Any], id: Int64, text: FeedsText) -> [String] {
        var rows: [(String, String)] = []
        let url = feed.string(FeedStatusField.url)
        rows.append(("url", url ?? "-"))
        if let polled = feed.string(FeedStatusField.polledUrl), polled != url { rows.append(("polled url", polled)) }
        let errors = feed.integer(FeedStatusField.consecutiveErrors) ?? 0
        let state = feed.string(FeedStatusField.state) ?? "-"
        rows.append(("state", errors > 0 ? "\(state) (\(errors) error\(errors == 1 ? "" : "s") in a row)" : state))
        rows.append(("interval", feed.integer(FeedStatusField.intervalSeconds).map(FeedsText.interval) ?? "-"))
        let notDue = state == "gone" ? "none (gone: `hubdiffer feeds add` revives it)" : "now (a poll is under way)"
        rows.append(("next poll", feed.string(FeedStatusField.nextPoll).map(text.time) ?? notDue))
        let outcome = (feed.string(FeedStatusField.lastOutcomeDetail) ?? feed.string(FeedStatusField.lastOutcome)).map { ": \($0)" } ?? ""
        rows.append(("last poll", feed.string(FeedStatusField.lastPoll).map { text.time($0) + outcome } ?? "never"))
        if let error = feed.string(FeedStatusField.lastError) { rows.append(("last error", error)) }
        rows.append(("last new entry", feed.string(FeedStatusField.lastNewEntry).map(text.time) ?? "none yet"))
        rows.append(("etag", feed.string(FeedStatusField.etag) ?? "none"))
        rows.append(("last modified", feed.string(FeedStatusField.lastModified) ?? "none"))
        rows.append(("shard", feed.string(FeedStatusField.shard) ?? "none (the ID is in no range of the shard map)"))
        rows.append(("entries stored", feed.integer(FeedStatusField.entriesStored).map(String.init) ?? "unknown"))

        let width = rows.map(\.0.count).max() ?? 0
        let shownID = feed.integer(FeedStatusField.id).map(String.init) ?? String(id)
        return ["feed \(shownID)"]
            + rows.map { label, value in "\(label):" + String(repeating: " ", count: width - label.count + 1) + value }
    }
}
