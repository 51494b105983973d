import ArgumentParser
import DaemonKit
import EntryStore
import Foundation
import JSONOutput
import Logging
import ShardRouter

/// `hubdiffer shards daemons`: the daemons registered on the servers of the map, and whether
/// each runs the map in the file.
struct ShardsDaemonsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemons",
        abstract: "List the daemons registered on the map's servers, and the map each one runs.",
        discussion: """
            Every running `hubdiffer run` keeps a registration on each server of its shard map \
            (refreshed every --registration-interval seconds, gone three intervals after the \
            daemon is). One row a daemon: its NAME (--name, default HOST:PID), VERSION, \
            STARTED, FEEDS it polls, FEED IDS (--feed-ids, or all), MAP (the digest of the map \
            it runs, with "current" when it routes as this file does, "OTHER" when not: copy \
            this file to its machine, it loads it within seconds) and the SERVERS it is \
            registered on. --json prints [{"name", "version", "started", "feeds", "feed_ids", \
            "map", "current", "servers"}].

            A server that cannot be reached is named on standard error and the command ends \
            with exit status 69 (the list shows what the others hold).

            Examples:
              hubdiffer shards daemons
              hubdiffer shards daemons --file /etc/hubdiffer/shards.conf --json
            """)

    @OptionGroup var options: ShardsFileOption

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let map = try ShardsFiles.load(options.file)
        var logger = Logger(label: "hubdiffer.store")
        logger.logLevel = .error
        let store = EntryStore(map: map, options: EntryStoreOptions(connectTimeout: .seconds(2), commandTimeout: .seconds(10)), logger: logger)
        let (daemons, unreachable) = await DaemonRegistry.fleet(map, store: store)
        let rows = daemons.values.sorted { $0.0.name < $1.0.name }
        let digest = map.digest
        if json {
            print(JSONWriter.arrayOnePerLine(rows.map { registration, servers in
                var object = JSONWriter()
                object.beginObject()
                object.field("name", registration.name)
                object.field("version", registration.version)
                object.field("started", registration.started.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))
                object.field("feeds", integer: registration.feeds)
                object.field("feed_ids", registration.feedIDs)
                object.field("map", registration.mapDigest)
                object.field("current", bool: registration.mapDigest == digest)
                object.field("servers", strings: servers.map(\.redactedURL).sorted())
                object.endObject()
                return object.output
            }))
        } else {
            var table = [["NAME", "VERSION", "STARTED", "FEEDS", "FEED IDS", "MAP", "SERVERS"]]
            for (registration, servers) in rows {
                table.append([
                    registration.name, registration.version,
                    registration.started.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)), String(registration.feeds),
                    registration.feedIDs ?? "all",
                    registration.mapDigest + (registration.mapDigest == digest ? " current" : " OTHER"),
                    servers.map(\.redactedURL).sorted().joined(separator: ","),
                ])
            }
            print(ShardsText.table(table, rightAligned: [3]).joined(separator: "\n"))
            let behind = rows.count { $0.0.mapDigest != digest }
            print(
                "\(rows.count) daemon\(rows.count == 1 ? "" : "s")"
                    + (behind > 0 ? "; \(behind) run\(behind == 1 ? "s" : "") another map than \(options.file) (\(digest))" : "; all run \(options.file) (\(digest))"))
        }
        for (endpoint, error) in unreachable.sorted(by: { $0.key.url < $1.key.url }) {
            StandardError.line("\(endpoint.redactedURL): unreachable (\(error)): the daemons registered there are not listed")
        }
        if !unreachable.isEmpty { throw ExitCode(.unavailable) }
    }
}
