import ArgumentParser
import DaemonKit
import EntryStore
import ShardRouter

/// `hubdiffer shards check`: the file is valid and every server answers.
struct ShardsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the shard map and reach every server in it.",
        discussion: """
            First validates the file: every problem is printed with its line, and the status is \
            65. Then asks each server, in one round trip, PING, INFO memory, DBSIZE and CONFIG \
            GET zset-max-listpack-entries, and prints one line a server: its memory use, its \
            number of keys, and whether the sets of seen entries keep Redis's compact (listpack) \
            encoding. The store keeps up to \(ShardServerReport.compactSetSize) entries for a \
            50-entry feed; a server whose zset-max-listpack-entries is lower stores such sets in \
            the larger skiplist encoding, and gets a warning (the status stays 0).

            Exit status: 0 every server answered; 65 the file has a problem; 66 it cannot be \
            read; 69 a server cannot be reached (a line on standard error names it).

            Examples:
              hubdiffer shards check
              hubdiffer shards check --file /etc/hubdiffer/shards.conf
            """)

    @OptionGroup var options: ShardsFileOption

    func run() async throws {
        let file = options.file
        let map = try Self.validate(file)
        print("\(map.description), \(map.gapSummary): valid")
        let reports = await ShardServerReport.ask(map)

        var failed: [(ShardEndpoint, String)] = []
        for endpoint in map.endpoints {
            let rangeCount = map.ranges.count(where: { $0.endpoint == endpoint })
            let ranges = rangeCount == 1 ? "1 range" : "\(rangeCount) ranges"
            switch reports[endpoint] {
            case .success(let report)?:
                print("\(endpoint.redactedURL) (\(ranges)): \(report)")
            case .failure(let why)?:
                print("\(endpoint.redactedURL) (\(ranges)): unreachable: \(why)")
                failed.append((endpoint, "\(why)"))
            case nil:
                break
            }
        }
        guard failed.isEmpty else {
            for (endpoint, why) in failed {
                StandardError.line(
                    "\(endpoint.redactedURL) cannot be reached (\(why)): check that redis-server runs there, "
                        + "that this host can reach it and that the password in \(file) is right; or give its ranges "
                        + "another server with `hubdiffer shards set`")
            }
            throw ExitCode(.unavailable)
        }
    }

    /// The map at `path`; when it is invalid, every problem is printed and the status is 65.
    private static func validate(_ path: String) throws -> ShardMap {
        do {
            return try ShardMap.load(from: path)
        } catch {
            guard error.line != nil, let problems = ShardMap.problems(inFileAt: path) else {
                throw ShardsFailure.report(error, file: path, editing: false)
            }
            for problem in problems.isEmpty ? [error] : problems { StandardError.line("\(problem)") }
            let count = max(problems.count, 1)
            StandardError.line("\(path): \(count) problem\(count == 1 ? "" : "s"): fix the line(s) named above")
            throw ExitCode(.dataError)
        }
    }
}
