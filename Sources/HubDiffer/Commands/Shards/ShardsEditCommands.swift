import ArgumentParser
import DaemonKit
import EntryStore
import Foundation
import ShardMigration
import ShardRouter

/// Applies one edit of the shard map with ``ShardMapEditor`` and prints what it did (or the
/// diff, for `--dry-run`). A refused edit is reported with a hint, and the status says why (see
/// ``ShardsFailure``); the file is then unchanged.
struct ShardsEditor {
    let editor: ShardMapEditor

    init(_ options: ShardsEditOptions) {
        editor = ShardMapEditor(file: options.file, dryRun: options.dryRun)
    }

    /// Runs `edit`; on success prints what `describe(old, new)` says.
    func apply(
        _ edit: (ShardMap) throws(ShardMapError) -> ShardMap,
        describe: (_ old: ShardMap, _ new: ShardMap) -> String
    ) throws {
        let file = editor.file
        let journal = MoveJournal.path(forMap: file)
        if !editor.dryRun, FileManager.default.fileExists(atPath: journal) {
            StandardError.line(
                "a hubdiffer shards move of \(file) is unfinished (\(journal)): run that move again to finish it, "
                    + "then edit; \(file) was not changed")
            throw ExitCode(.temporaryFailure)
        }
        let change: ShardMapEdit
        do throws(ShardMapError) { change = try editor.apply(edit) } catch {
            throw ShardsFailure.report(error, file: file, editing: true)
        }
        guard change.changesText else {
            print("no change: \(file) already says that; nothing was written")
            return
        }
        if editor.dryRun {
            print(change.diff(fileName: file).joined(separator: "\n"))
            StandardError.line("dry run: \(describe(change.old, change.new)); nothing was written to \(file)")
        } else {
            print(describe(change.old, change.new))
        }
    }

    /// `line N of FILE` for the range with these bounds in `map`.
    func line(_ bounds: ClosedRange<Int64>, in map: ShardMap) -> String { editor.line(bounds, in: map) }
}

// MARK: - add

struct ShardsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a range of feed IDs on a server.",
        discussion: """
            The range must lie in a gap (`hubdiffer shards list` shows them). Its line goes right \
            after the range before it, in the form `FIRST-LAST  redis://HOST:PORT/DB`.

            Examples:
              hubdiffer shards add 1000000-1999999 redis://10.0.0.3:6379/0
              hubdiffer shards add 0-999 redis://:secret@127.0.0.1/1 --file test-shards.conf --dry-run
            """)

    @OptionGroup var options: ShardsEditOptions

    @Argument(help: ArgumentHelp("The feed IDs, inclusive.", valueName: "first-last"))
    var range: String

    @Argument(help: ArgumentHelp("The server, redis://[:PASSWORD@]HOST[:PORT][/DB].", valueName: "url"))
    var url: String

    func validate() throws {
        _ = try ShardsArguments.range(range)
        _ = try ShardsArguments.endpoint(url)
    }

    func run() throws {
        let bounds = try ShardsArguments.range(range)
        let endpoint = try ShardsArguments.endpoint(url)
        let editor = ShardsEditor(options)
        try editor.apply { map throws(ShardMapError) in
            try map.adding(range: bounds, endpoint: endpoint)
        } describe: { _, new in
            "added \(bounds.shardText) on \(endpoint.redactedURL) (\(editor.line(bounds, in: new)))"
        }
    }
}

// MARK: - remove

struct ShardsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a range: its feed IDs become a gap (unrouted).",
        discussion: """
            Name the range exactly as its line lists it. Only the line goes: the entries of its \
            feeds stay on the server until you delete them.

            Examples:
              hubdiffer shards remove 1000000-1999999
              hubdiffer shards remove 0-999 --file test-shards.conf --dry-run
            """)

    @OptionGroup var options: ShardsEditOptions

    @Argument(help: ArgumentHelp("The range, exactly as its line lists it.", valueName: "first-last"))
    var range: String

    func validate() throws {
        _ = try ShardsArguments.range(range)
    }

    func run() throws {
        let bounds = try ShardsArguments.range(range)
        let editor = ShardsEditor(options)
        try editor.apply { map throws(ShardMapError) in
            try map.removing(range: bounds)
        } describe: { old, _ in
            let server = old.route(bounds.lowerBound).map { " on \($0.endpoint.redactedURL)" } ?? ""
            return "removed \(bounds.shardText)\(server) (was \(editor.line(bounds, in: old))): "
                + "its IDs are now unrouted"
        }
    }
}

// MARK: - split

struct ShardsSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split a range in two at a feed ID, both halves on its server.",
        discussion: """
            FIRST-LAST becomes FIRST-(AT-1) and AT-LAST, on two lines where it stood (each keeps \
            its comment). AT may also be given as --at AT. Split before giving part of a range \
            to another server with `hubdiffer shards set`.

            Examples:
              hubdiffer shards split 0-9223372036854775807 5000000
              hubdiffer shards split 0-9223372036854775807 --at 5000000 --dry-run
            """)

    @OptionGroup var options: ShardsEditOptions

    @Argument(help: ArgumentHelp("The range, exactly as its line lists it.", valueName: "first-last"))
    var range: String

    @Argument(help: ArgumentHelp("The first feed ID of the upper half.", valueName: "at"))
    var at: String?

    @Option(name: .customLong("at"), help: ArgumentHelp("The same as AT.", valueName: "at"))
    var atOption: String?

    func validate() throws {
        _ = try ShardsArguments.range(range)
        _ = try splitPoint()
    }

    private func splitPoint() throws -> Int64 {
        switch (at, atOption) {
        case (let text?, nil), (nil, let text?):
            return try ShardsArguments.feedID(text, name: "AT")
        case (nil, nil):
            throw ValidationError("give the split point AT: the first feed ID of the upper half")
        case (_?, _?):
            throw ValidationError("give AT once: as an argument or with --at, not both")
        }
    }

    func run() throws {
        let bounds = try ShardsArguments.range(range)
        let point = try splitPoint()
        let editor = ShardsEditor(options)
        try editor.apply { map throws(ShardMapError) in
            try map.splitting(range: bounds, at: point)
        } describe: { old, new in
            let lower = bounds.lowerBound...(point - 1)
            let upper = point...bounds.upperBound
            let server = old.route(bounds.lowerBound).map { " on \($0.endpoint.redactedURL)" } ?? ""
            return "split \(bounds.shardText) at \(point): \(lower.shardText) (\(editor.line(lower, in: new))) "
                + "and \(upper.shardText) (\(editor.line(upper, in: new)))\(server)"
        }
    }
}

// MARK: - merge

struct ShardsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge two adjacent ranges on the same server into one.",
        discussion: """
            One range must end right before the other starts, and both must be on the same \
            server. The merged range takes the lower range's line (and its comment, or else the \
            upper one's); the upper range's line goes.

            Examples:
              hubdiffer shards merge 0-4999999 5000000-9223372036854775807
              hubdiffer shards merge 0-999 1000-1999 --file test-shards.conf --dry-run
            """)

    @OptionGroup var options: ShardsEditOptions

    @Argument(help: ArgumentHelp("One range, exactly as its line lists it.", valueName: "first-last"))
    var first: String

    @Argument(help: ArgumentHelp("The range next to it.", valueName: "first-last"))
    var second: String

    func validate() throws {
        _ = try ShardsArguments.range(first, name: "the first range")
        _ = try ShardsArguments.range(second, name: "the second range")
    }

    func run() throws {
        let a = try ShardsArguments.range(first, name: "the first range")
        let b = try ShardsArguments.range(second, name: "the second range")
        let editor = ShardsEditor(options)
        try editor.apply { map throws(ShardMapError) in
            try map.merging(a, b)
        } describe: { old, new in
            let merged = min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
            let server = new.route(merged.lowerBound).map { " on \($0.endpoint.redactedURL)" } ?? ""
            return "merged \(a.shardText) and \(b.shardText) into \(merged.shardText)\(server) "
                + "(\(editor.line(merged, in: new)))"
        }
    }
}

// MARK: - set

struct ShardsSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Give a range another server.",
        discussion: """
            Only the map changes: the entries of the range's feeds stay on the old server. Copy \
            their keys (\(StoreKeys.entriesTemplate), \(StoreKeys.stateTemplate)) to the new server before the daemon reads the new \
            map, or the feeds start again from an empty history there. To give part of a range \
            to a server, split it first.

            Examples:
              hubdiffer shards set 5000000-9223372036854775807 redis://10.0.0.2:6379/0
              hubdiffer shards set 0-999 redis://:secret@127.0.0.1:6380/0 --file test-shards.conf --dry-run
            """)

    @OptionGroup var options: ShardsEditOptions

    @Argument(help: ArgumentHelp("The range, exactly as its line lists it.", valueName: "first-last"))
    var range: String

    @Argument(help: ArgumentHelp("The new server, redis://[:PASSWORD@]HOST[:PORT][/DB].", valueName: "url"))
    var url: String

    func validate() throws {
        _ = try ShardsArguments.range(range)
        _ = try ShardsArguments.endpoint(url)
    }

    func run() throws {
        let bounds = try ShardsArguments.range(range)
        let endpoint = try ShardsArguments.endpoint(url)
        let editor = ShardsEditor(options)
        try editor.apply { map throws(ShardMapError) in
            try map.setting(range: bounds, endpoint: endpoint)
        } describe: { old, new in
            let place = "\(bounds.shardText) (\(editor.line(bounds, in: new)))"
            guard let previous = old.route(bounds.lowerBound)?.endpoint else {
                return "\(place) is now on \(endpoint.redactedURL)"
            }
            if previous.host == endpoint.host, previous.port == endpoint.port, previous.database == endpoint.database {
                return "\(place) stays on \(endpoint.redactedURL), with a new password"
            }
            return "\(place) is now on \(endpoint.redactedURL), was \(previous.redactedURL): "
                + "copy its feeds' keys (\(StoreKeys.entriesTemplate), \(StoreKeys.stateTemplate)) from the old server"
        }
    }
}
