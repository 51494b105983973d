import ArgumentParser
import DaemonKit
import EntryStore
import ShardMigration
import ShardRouter

/// `hubdiffer shards move`: a range moved to another server with its data (see ``ShardMove``).
struct ShardsMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a range of feed IDs to another server, with their seen entries and state.",
        discussion: """
            Copies every \(StoreKeys.entriesTemplate) and \(StoreKeys.stateTemplate) key of the range to the new server (sets are \
            merged, so nothing already there is lost), switches the range's line of the map, \
            sends SIGHUP to the local daemon so it reads the new map, waits until every daemon \
            registered on the old or the new server runs the new map (daemons on other machines \
            load it within seconds once their copy of the file is updated: the move prints whom \
            it waits for; --wait bounds the wait, after which it stops, kept, deleting \
            nothing), waits --grace for polls begun under the old map, copies what arrived \
            meanwhile, verifies that every set member and state is on the new server, and only \
            then deletes the old copies. At every moment the server the map names holds every \
            feed's set, and a daemon that switched reads the old server too until the move ends.

            FIRST-LAST must be one line of the map: `hubdiffer shards split` it first to move \
            part of a range. The move holds the editor lock to its end and keeps a journal \
            (FILE.move) until it is done; after an interruption (Ctrl-C, a server that failed) \
            run the same command again and it resumes.

            A running daemon must reload the map: the move reads its pid from --pid-file \
            (default \(DaemonReload.defaultPIDFile)) or --pid; pass --no-daemon when no daemon \
            uses this map.

            Exit status: 0 moved (or nothing to move); 64 bad usage or no daemon found; 65 the \
            range is not one line of the map; 69 a server failed; 70 verification failed \
            (nothing deleted); 74 the journal cannot be written; 75 another edit, an \
            unfinished move of another range, or daemons still on the old map after --wait \
            (run it again to resume); 130 interrupted (run it again to resume).

            Examples:
              hubdiffer shards move 5000000-9223372036854775807 redis://10.0.0.2:6379/0
              hubdiffer shards move 0-999 redis://127.0.0.1:6380/0 --file test-shards.conf --no-daemon
              hubdiffer shards move 0-999 redis://10.0.0.3/0 --pid 4242 --grace 10 --rate 2000
              hubdiffer shards move 0-999 redis://10.0.0.3/0 --wait 600   # other machines' maps updated by hand
            """)

    @OptionGroup var options: ShardsFileOption

    @Argument(help: ArgumentHelp("The feed IDs, inclusive: one line of the map.", valueName: "first-last"))
    var range: String

    @Argument(help: ArgumentHelp("The new server, redis://[:PASSWORD@]HOST[:PORT][/DB].", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("The daemon's process ID, to send it SIGHUP.", valueName: "pid"))
    var pid: Int32?

    @Option(help: ArgumentHelp("The daemon's pid file (default \(DaemonReload.defaultPIDFile)).", valueName: "file"))
    var pidFile: String?

    @Flag(help: "No daemon uses this map: switch without signalling one.")
    var noDaemon = false

    @Option(help: ArgumentHelp("Seconds to wait after SIGHUP for polls begun under the old map.", valueName: "seconds"))
    var grace: Int = 35

    @Option(help: ArgumentHelp("Copy at most this many feeds a second (default: no limit).", valueName: "feeds"))
    var rate: Int?

    @Option(help: ArgumentHelp("Seconds to wait for every registered daemon to run the new map.", valueName: "seconds"))
    var wait: Int = 300

    func validate() throws {
        _ = try ShardsArguments.range(range)
        _ = try ShardsArguments.endpoint(url)
        if noDaemon && (pid != nil || pidFile != nil) {
            throw ValidationError("--no-daemon says no daemon uses the map: leave out --pid and --pid-file, or --no-daemon")
        }
        guard grace >= 0 else { throw ValidationError("--grace must be 0 or more seconds") }
        guard wait >= 0 else { throw ValidationError("--wait must be 0 or more seconds") }
        if let rate, rate < 1 { throw ValidationError("--rate must be at least 1 feed a second; leave it out for no limit") }
    }

    func run() async throws {
        // One line at a time even into a file or a pipe: a move can take minutes, and whom it
        // waits for must show while it waits.
        StandardOutput.flushEveryLine()
        let bounds = try ShardsArguments.range(range)
        let target = try ShardsArguments.endpoint(url)
        let interrupt = await InterruptFlag()
        do throws(MoveFailure) {
            let move = ShardMove(
                mapPath: options.file, range: bounds, target: target,
                daemon: try DaemonReload.resolve(pid: pid, pidFile: pidFile, noDaemon: noDaemon),
                grace: .seconds(grace), rate: rate, fleetWait: .seconds(wait), interrupt: interrupt)
            try await move.run()
        } catch {
            StandardError.line("\(error)")
            throw ExitCode(error.exitStatus)
        }
    }
}
