import DaemonKit
import RedisWire
import ArgumentParser
import EntryStore
import Foundation
import Logging
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
            e:{feed} key) on the range's server, found with SCAN (it does not block the server, \
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

    @Flag(help: "Count the feeds each range holds on its server (SCAN e:*).")
    var count = false

    func run() async throws {
        let file = options.file
        let map = try ShardsFiles.load(file)
        let counts = count ? await FeedCounter.count(map) : [:]

        if json {
            var objects: [String] = []
            for range in map.ranges {
                var object = "{\"first\":\(range.first),\"last\":\(range.last)"
                object += ",\"line\":\(map.lineNumber(of: range.bounds) ?? 0)"
                object += ",\"url\":\(ShardsText.json(range.endpoint.redactedURL))"
                if count {
                    let feeds = (try? counts[range.endpoint]?.get()).map { $0.perRange[range.bounds] ?? 0 }
                    object += ",\"feeds\":\(feeds.map { String($0) } ?? "null")"
                }
                objects.append(object + "}")
            }
            print(objects.isEmpty ? "[]" : "[\n  " + objects.joined(separator: ",\n  ") + "\n]")
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
        if unreachable { throw ExitCode(69) }
    }

    /// The rows of the table, ranges and gaps in ID order.
    private func table(_ map: ShardMap, counts: [ShardEndpoint: Result<FeedCounter.Counts, RedisError>]) -> [String] {
        var rows: [(first: Int64, cells: [String])] = []
        for range in map.ranges {
            var cells = [
                String(range.first), String(range.last), map.lineNumber(of: range.bounds).map(String.init) ?? "-",
                range.endpoint.redactedURL,
            ]
            if count {
                switch counts[range.endpoint] {
                case .success(let result)?: cells.insert(String(result.perRange[range.bounds] ?? 0), at: 3)
                default: cells.insert("unreachable", at: 3)
                }
            }
            rows.append((range.first, cells))
        }
        for gap in map.gaps {
            var cells = [String(gap.lowerBound), String(gap.upperBound), "-", "(gap: no server, IDs unrouted)"]
            if count { cells.insert("-", at: 3) }
            rows.append((gap.lowerBound, cells))
        }
        rows.sort { $0.first < $1.first }
        let header = count ? ["FIRST", "LAST", "LINE", "FEEDS", "SERVER"] : ["FIRST", "LAST", "LINE", "SERVER"]
        let rightAligned: Set<Int> = count ? [0, 1, 2, 3] : [0, 1, 2]
        var lines = ShardsText.table([header] + rows.map(\.cells), rightAligned: rightAligned)
        lines.append(map.description + (map.gaps.count == 1 ? ", 1 gap" : ", \(map.gaps.count) gaps"))
        return lines
    }
}

/// Counts the feeds with a set of seen entries (`e:{feed}`) on each server of a map.
enum FeedCounter {
    struct Counts: Sendable {
        /// Feeds per range of this server, by the range's bounds.
        var perRange: [ClosedRange<Int64>: Int] = [:]
        /// Feeds whose ID the map routes to another server, or to no server.
        var outside = 0
    }

    /// Every server of `map`, scanned at once.
    static func count(_ map: ShardMap) async -> [ShardEndpoint: Result<Counts, RedisError>] {
        var logger = Logger(label: "hubdiffer.store")
        logger.logLevel = .error  // the command says it once when a server is down
        let store = EntryStore(
            map: map, options: EntryStoreOptions(connectTimeout: .seconds(2), commandTimeout: .seconds(10)),
            logger: logger)
        return await withTaskGroup(of: (ShardEndpoint, Result<Counts, RedisError>).self) { group in
            for endpoint in map.endpoints {
                group.addTask { (endpoint, await count(on: endpoint, store: store, map: map)) }
            }
            var results: [ShardEndpoint: Result<Counts, RedisError>] = [:]
            for await (endpoint, result) in group { results[endpoint] = result }
            return results
        }
    }

    /// `SCAN 0 MATCH e:* COUNT 1000` until the cursor comes back to 0. SCAN may return a key
    /// twice, so feed IDs are gathered in a set first.
    private static func count(on endpoint: ShardEndpoint, store: EntryStore, map: ShardMap) async -> Result<Counts, RedisError> {
        var feeds = Set<Int64>()
        var cursor = "0"
        repeat {
            let outcome = await store.run([RedisCommand("SCAN", cursor, "MATCH", "e:*", "COUNT", "1000")], on: endpoint)
            guard case .success(let replies) = outcome, let reply = replies.first else {
                if case .failure(let error) = outcome { return .failure(error) }
                return .failure(.server("no reply to SCAN"))
            }
            if case .error(let message) = reply { return .failure(.server(message)) }
            guard case .array(let parts?) = reply, parts.count == 2, let next = parts[0].text,
                case .array(let keys?) = parts[1]
            else { return .failure(.server("SCAN answered something other than [cursor, keys]")) }
            for key in keys {
                guard case .bulk(let bytes?) = key, bytes.count > 2, bytes[0] == UInt8(ascii: "e"),
                    bytes[1] == UInt8(ascii: ":"),
                    bytes.dropFirst(2).allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let id = Int64(String(decoding: bytes.dropFirst(2), as: UTF8.self))
                else { continue }
                feeds.insert(id)
            }
            cursor = next
        } while cursor != "0"

        var counts = Counts()
        for feed in feeds {
            if let range = map.route(feed), range.endpoint == endpoint {
                counts.perRange[range.bounds, default: 0] += 1
            } else {
                counts.outside += 1
            }
        }
        return .success(counts)
    }
}
