import ArgumentParser
import DaemonKit
import EntryStore
import JSONOutput
import RedisWire
import ShardRouter

/// `hubdiffer shards list`: the ranges, their servers and the gaps.
struct ShardsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the ranges of the shard map, their servers and the gaps between them.",
        discussion: """
            One row a range or gap, in ID order: FIRST, LAST, the range's LINE in the file and \
            its SERVER (password shown as ***); a gap's IDs are unrouted. --json prints the \
            ranges alone as [{"first", "last", "line", "url"}] (with --count, also "feeds": a \
            number, or null when the server cannot be reached).

            --count adds FEEDS: how many feeds of each range have a set of seen entries (an \
            \(StoreKeys.entriesTemplate) key) on the range's server, found with SCAN (it does not block the server, \
            but reads every key name). A server that cannot be reached shows "unreachable" and \
            the command ends with exit status 69.

            Examples:
              hubdiffer shards list
              hubdiffer shards list --file /etc/hubdiffer/shards.conf --count
              hubdiffer shards list --json | jq -r '.[].url' | sort -u
            """)

    @OptionGroup var options: ShardsFileOption

    @Flag(help: "Print JSON for scripts: the ranges, without the gaps.")
    var json = false

    @Flag(help: "Count the feeds each range holds on its server (SCAN \(StoreKeys.entriesPattern)).")
    var count = false

    func run() async throws {
        let file = options.file
        let map = try ShardsFiles.load(file)
        let counts = count ? await FeedCounter.count(map) : [:]

        if json {
            let objects = map.ranges.map { range in
                var object = JSONWriter()
                object.beginObject()
                object.field("first", integer: range.first)
                object.field("last", integer: range.last)
                object.field("line", integer: map.lineNumber(of: range.bounds) ?? 0)
                object.field("url", range.endpoint.redactedURL)
                if count {
                    let feeds = (try? counts[range.endpoint]?.get()).map { $0.perRange[range.bounds] ?? 0 }
                    object.field("feeds", integer: feeds)
                }
                object.endObject()
                return object.output
            }
            print(JSONWriter.arrayOnePerLine(objects))
        } else {
            print(table(map, counts: counts).joined(separator: "\n"))
        }

        var unreachable = false
        for endpoint in map.endpoints {
            switch counts[endpoint] {
            case .failure(let error)?:
                unreachable = true
                StandardError.line(
                    "\(endpoint.redactedURL): unreachable (\(error)): check that redis-server runs there and "
                        + "that this host can reach it; `hubdiffer shards check --file \(file)` tests every server")
            case .success(let result)? where result.outside > 0:
                StandardError.line(
                    "\(endpoint.redactedURL) also holds \(result.outside) feed set(s) outside its ranges "
                        + "(left from a range moved to another server, or in a gap)")
            default:
                break
            }
        }
        if unreachable { throw ExitCode(.unavailable) }
    }

    /// The rows of the table, ranges and gaps in ID order.
    private func table(_ map: ShardMap, counts: [ShardEndpoint: Result<FeedCounter.Counts, RedisError>]) -> [String] {
        let rows = map.segments.map { segment in
            let bounds = [String(segment.bounds.lowerBound), String(segment.bounds.upperBound)]
            switch segment {
            case .range(let range):
                let feeds = (try? counts[range.endpoint]?.get()).map { String($0.perRange[range.bounds] ?? 0) } ?? "unreachable"
                let line = map.lineNumber(of: range.bounds).map(String.init) ?? "-"
                return bounds + [line] + (count ? [feeds] : []) + [range.endpoint.redactedURL]
            case .gap:
                return bounds + ["-"] + (count ? ["-"] : []) + ["(gap: no server, IDs unrouted)"]
            }
        }
        let header = count ? ["FIRST", "LAST", "LINE", "FEEDS", "SERVER"] : ["FIRST", "LAST", "LINE", "SERVER"]
        let rightAligned: Set<Int> = count ? [0, 1, 2, 3] : [0, 1, 2]
        var lines = ShardsText.table([header] + rows, rightAligned: rightAligned)
        lines.append(map.description + (map.gaps.count == 1 ? ", 1 gap" : ", \(map.gaps.count) gaps"))
        return lines
    }
}
