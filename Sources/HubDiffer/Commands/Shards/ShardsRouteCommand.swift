import DaemonKit
import ArgumentParser
import ShardRouter

/// `hubdiffer shards route ID`: which range and server a feed ID goes to.
struct ShardsRouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Print which range, line and server a feed ID goes to.",
        discussion: """
            Prints `feed ID: range FIRST-LAST (line N of FILE) on URL` (password shown as ***). \
            An ID in no range is unrouted: a line on standard error says so, with the gap it lies \
            in, and the status is 65.

            Examples:
              hubdiffer shards route 42
              hubdiffer shards route 5000000 --file /etc/hubdiffer/shards.conf
            """)

    @OptionGroup var options: ShardsFileOption

    @Argument(help: ArgumentHelp("The feed ID, from 0 to \(Int64.max).", valueName: "id"))
    var feedID: String

    func validate() throws {
        _ = try ShardsArguments.feedID(feedID, name: "ID")
    }

    func run() throws {
        let file = options.file
        let id = try ShardsArguments.feedID(feedID, name: "ID")
        let map = try ShardsFiles.load(file)
        guard let range = map.route(id) else {
            let gap = map.gaps.first { $0.contains(id) }
            let gapText = gap.map { " \($0.shardText)" } ?? ""
            StandardError.line(
                "feed \(id): in no range (a gap): the gap\(gapText) of \(file) has no server; "
                    + "give it one with `hubdiffer shards add FIRST-LAST URL --file \(file)`")
            throw ExitCode(.dataError)
        }
        let line = map.lineNumber(of: range.bounds).map { "line \($0) of \(file)" } ?? file
        print("feed \(id): range \(range.bounds.shardText) (\(line)) on \(range.endpoint.redactedURL)")
    }
}
