import DaemonKit
import ArgumentParser
import Foundation
import ShardRouter

/// `hubdiffer shards`: reads, checks and edits the shard map (`shards.conf`).
struct ShardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Show, check and edit the shard map (shards.conf).",
        discussion: """
            Every subcommand takes --file FILE (default shards.conf). Edits take the editor lock \
            (FILE.lock), refuse anything that would make the map invalid, keep comments and the \
            order of lines, and replace the file atomically; --dry-run prints the change as a \
            diff and writes nothing. Messages show passwords as ***.

            Exit status: 0 done; 64 a malformed argument; 65 the file has a problem (the message \
            names the line), the edit was refused, or the ID is in no range; 66 the file cannot be \
            read; 69 a server cannot be reached; 73 the lock file cannot be created; 74 the file \
            cannot be written; 75 another edit holds the lock (try again).

            Examples:
              hubdiffer shards list
              hubdiffer shards check --file /etc/hubdiffer/shards.conf
              hubdiffer shards route 42
              hubdiffer shards daemons
              hubdiffer shards split 0-9223372036854775807 5000000 --dry-run
              hubdiffer shards set 5000000-9223372036854775807 redis://10.0.0.2:6379/0
            """,
        subcommands: [
            ShardsListCommand.self, ShardsCheckCommand.self, ShardsRouteCommand.self,
            ShardsAddCommand.self, ShardsRemoveCommand.self, ShardsSplitCommand.self,
            ShardsMergeCommand.self, ShardsSetCommand.self,
            ShardsMoveCommand.self, ShardsDaemonsCommand.self,
        ])
}

/// `--file`, shared by every `shards` subcommand.
struct ShardsFileOption: ParsableArguments {
    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("The shard map.", valueName: "file"))
    var file = "shards.conf"
}

/// `--file` and `--dry-run`, shared by the edits.
struct ShardsEditOptions: ParsableArguments {
    @OptionGroup var fileOption: ShardsFileOption

    @Flag(help: "Print the change as a diff and write nothing.")
    var dryRun = false

    var file: String { fileOption.file }
}

// MARK: - Arguments

/// Command-line values of the `shards` subcommands, read by the shard map's own readers
/// (``ShardRangeText``, ``ShardEndpoint``), with messages that say what to write instead.
enum ShardsArguments {
    /// `FIRST-LAST` → `FIRST...LAST`.
    static func range(_ text: String, name: String = "FIRST-LAST") throws -> ClosedRange<Int64> {
        if text.contains("://") {
            throw ValidationError("\(name) is a URL: the range comes first, then the URL, as in `0-999 redis://127.0.0.1:6379/0`")
        }
        do { return try ShardRangeText.bounds(text) } catch { throw ValidationError("\(name): \(error)") }
    }

    /// A decimal feed ID in `0...Int64.max`.
    static func feedID(_ text: String, name: String) throws -> Int64 {
        do { return try ShardRangeText.feedID(text) } catch { throw ValidationError("\(name): \(error)") }
    }

    /// A server URL.
    static func endpoint(_ text: String, name: String = "URL") throws -> ShardEndpoint {
        do { return try ShardEndpoint(url: text) } catch { throw ValidationError("\(name): \(error)") }
    }
}

// MARK: - Loading and failures

enum ShardsFiles {
    /// The map at `path`, or the reason it cannot be used (reported, as an exit status).
    static func load(_ path: String) throws -> ShardMap {
        do {
            return try ShardMap.load(from: path)
        } catch {
            throw ShardsFailure.report(error, file: path, editing: false)
        }
    }
}

/// How the `shards` subcommands report a ``ShardMapError``: the library's message, what to do
/// next, and the exit status.
enum ShardsFailure {
    /// Prints `error` and a hint on standard error; returns the exit status to end with.
    static func report(_ error: ShardMapError, file: String, editing: Bool) -> ExitCode {
        let unchanged = editing ? "; \(file) was not changed" : ""
        switch error {
        case .lockHeld(let lockPath, let pid):
            let holder = pid.map { "pid \($0)" } ?? "pid unknown"
            StandardError.line(
                "another hubdiffer shards edit holds the lock on \(file) (\(holder), lock file \(lockPath)); "
                    + "try again when it has finished\(unchanged)")
            return ExitCode(.temporaryFailure)
        case .cannotLock:
            StandardError.line("\(error)\(unchanged)")
            return ExitCode(.cannotCreate)
        case .cannotWrite:
            // The reason says whether the file was changed.
            StandardError.line("\(error)")
            return ExitCode(.ioError)
        case .cannotRead:
            StandardError.line("\(error)")
            if editing {
                StandardError.line("to start a new map, create the file first: an empty file is a map with no ranges")
            } else {
                StandardError.line("pass --file FILE to name the shard map")
            }
            return ExitCode(.noInput)
        default:
            StandardError.line("\(error)")
            if error.line != nil {
                StandardError.line(
                    "fix that line by hand (`hubdiffer shards check --file \(file)` lists every problem)\(unchanged)")
            } else if editing {
                StandardError.line(
                    "\(file) was not changed; `hubdiffer shards list --file \(file)` shows its ranges and gaps")
            }
            return ExitCode(.dataError)
        }
    }
}

// MARK: - Text

enum ShardsText {
    /// Rows padded into columns two spaces apart; columns in `rightAligned` are right-aligned.
    static func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            var cells: [String] = []
            for (column, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if rightAligned.contains(column) {
                    cells.append(padding + cell)
                } else {
                    cells.append(column == row.count - 1 ? cell : cell + padding)
                }
            }
            return cells.joined(separator: "  ")
        }
    }
}
