import DaemonKit
import RedisWire
import ArgumentParser
import EntryStore
import Foundation
import Logging
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
            encoding. The store keeps up to \(ShardsCheckCommand.retentionBound) entries for a \
            50-entry feed; a server whose zset-max-listpack-entries is lower stores such sets in \
            the larger skiplist encoding, and gets a warning (the status stays 0).

            Exit status: 0 every server answered; 65 the file has a problem; 66 it cannot be \
            read; 69 a server cannot be reached (a line on standard error names it).

            Examples:
              hubdiffer shards check
              hubdiffer shards check --file /etc/hubdiffer/shards.conf
            """)

    /// The store's default retention bound for a feed serving 50 entries.
    static let retentionBound = EntryStoreOptions().retention(forEntryCount: 50)

    @OptionGroup var options: ShardsFileOption

    func run() async throws {
        let file = options.file
        let map = try Self.validate(file)
        let gaps = map.gaps
        let gapText =
            gaps.isEmpty
            ? "no gaps"
            : "\(gaps.count) gap\(gaps.count == 1 ? "" : "s") (unrouted IDs: "
                + gaps.prefix(3).map(\.shardText).joined(separator: ", ") + (gaps.count > 3 ? ", …" : "") + ")"
        print("\(map.description), \(gapText): valid")

        var logger = Logger(label: "hubdiffer.store")
        logger.logLevel = .error  // this command reports a server that is down itself
        let store = EntryStore(
            map: map, options: EntryStoreOptions(connectTimeout: .seconds(2), commandTimeout: .seconds(5)),
            logger: logger)
        let reports = await withTaskGroup(of: (ShardEndpoint, ServerReport).self) { group in
            for endpoint in map.endpoints {
                group.addTask { (endpoint, await Self.ask(endpoint, store: store)) }
            }
            var reports: [ShardEndpoint: ServerReport] = [:]
            for await (endpoint, report) in group { reports[endpoint] = report }
            return reports
        }

        var failed: [(ShardEndpoint, String)] = []
        for endpoint in map.endpoints {
            let rangeCount = map.ranges.count(where: { $0.endpoint == endpoint })
            let ranges = rangeCount == 1 ? "1 range" : "\(rangeCount) ranges"
            switch reports[endpoint] {
            case .reachable(let line)?:
                print("\(endpoint.redactedURL) (\(ranges)): \(line)")
            case .unreachable(let why)?:
                print("\(endpoint.redactedURL) (\(ranges)): unreachable: \(why)")
                failed.append((endpoint, why))
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
            throw ExitCode(69)
        }
    }

    /// The map at `path`; when it is invalid, every problem is printed and the status is 65.
    private static func validate(_ path: String) throws -> ShardMap {
        do {
            return try ShardMap.load(from: path)
        } catch {
            guard error.line != nil, let data = FileManager.default.contents(atPath: path),
                let text = String(validating: [UInt8](data), as: UTF8.self)
            else { throw ShardsFailure.report(error, file: path, editing: false) }
            let problems = ShardMap.problems(in: text, fileName: path)
            for problem in problems.isEmpty ? [error] : problems { StandardError.line("\(problem)") }
            let count = max(problems.count, 1)
            StandardError.line("\(path): \(count) problem\(count == 1 ? "" : "s"): fix the line(s) named above")
            throw ExitCode(65)
        }
    }

    enum ServerReport: Sendable {
        /// The server answered: its line of the report.
        case reachable(String)
        /// Why it could not be asked.
        case unreachable(String)
    }

    /// PING, INFO memory, DBSIZE and the listpack limit of one server, in one round trip.
    private static func ask(_ endpoint: ShardEndpoint, store: EntryStore) async -> ServerReport {
        let commands = [
            RedisCommand("PING"), RedisCommand("INFO", "memory"), RedisCommand("DBSIZE"),
            RedisCommand("CONFIG", "GET", "zset-max-listpack-entries"),
            // Redis 6 and older name it zset-max-ziplist-entries (7 knows both).
            RedisCommand("CONFIG", "GET", "zset-max-ziplist-entries"),
        ]
        let replies: [RedisReply]
        switch await store.run(commands, on: endpoint) {
        case .success(let answer) where answer.count == commands.count: replies = answer
        case .success: return .unreachable("the server sent too few replies")
        case .failure(let error): return .unreachable("\(error)")
        }
        guard replies[0].text == "PONG" else {
            if case .error(let message) = replies[0] { return .unreachable("PING refused: \(message)") }
            return .unreachable("PING was not answered PONG")
        }

        var parts = ["ok"]
        if let info = replies[1].text, let used = Self.field("used_memory", in: info).flatMap(Int.init) {
            parts.append("memory \(ShardsText.bytes(used))")
        } else {
            parts.append("memory unknown (INFO memory refused)")
        }
        if case .integer(let keys) = replies[2] {
            parts.append(keys == 1 ? "1 key" : "\(keys) keys")
        } else {
            parts.append("keys unknown (DBSIZE refused)")
        }
        let bound = retentionBound
        if let (name, limit) = Self.configValue(replies[3]) ?? Self.configValue(replies[4]) {
            if limit < bound {
                parts.append(
                    "warning: \(name) is \(limit), below \(bound) (the entries kept for a 50-entry feed): "
                        + "such sets leave the compact listpack encoding and take several times the memory; "
                        + "raise it with CONFIG SET \(name) \(bound) and in redis.conf")
            } else {
                parts.append("\(name) \(limit) (sets of up to \(bound) entries stay compact)")
            }
        } else {
            let why: String
            if case .error(let message) = replies[3] { why = message } else { why = "no such setting" }
            parts.append("zset-max-listpack-entries unknown (CONFIG GET: \(why))")
        }
        return .reachable(parts.joined(separator: ", "))
    }

    /// `name:value` from the text of an INFO reply.
    private static func field(_ name: String, in info: String) -> String? {
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// The setting's name and integer value from a `CONFIG GET` reply, nil when it has none.
    private static func configValue(_ reply: RedisReply) -> (String, Int)? {
        guard case .array(let items?) = reply, items.count >= 2, let name = items[0].text,
            let value = items[1].text.flatMap(Int.init)
        else { return nil }
        return (name, value)
    }
}
