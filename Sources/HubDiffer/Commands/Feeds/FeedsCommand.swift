import ArgumentParser
import DaemonKit
import HubDaemon
import ShardRouter

/// `hubdiffer feeds`: adds, removes and shows the feeds of a running daemon, through its control
/// endpoint (as redis-cli talks to redis-server).
struct FeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds",
        abstract: "Add, remove and show the feeds of a running `hubdiffer run`.",
        discussion: """
            Every subcommand talks to the daemon's control endpoint: --control HOST:PORT \
            (default \(DaemonConfiguration.defaultControl), the daemon's own default). When the \
            daemon has a control token (its control-token-file), pass the same token with \
            --token-file FILE (its first line) or in the \
            environment variable \(BearerToken.environmentVariable); --token-file wins.

            \(FeedsCommand.exitStatusText)

            Examples:
              hubdiffer feeds add 42 https://example.com/feed.xml --interval 600
              hubdiffer feeds show 42
              hubdiffer feeds failing --limit 20
              hubdiffer feeds remove 42 --control 127.0.0.1:8425 --token-file /etc/hubdiffer/control.token
            """,
        subcommands: [FeedsAddCommand.self, FeedsRemoveCommand.self, FeedsShowCommand.self, FeedsFailingCommand.self])

    /// The exit statuses every `feeds` subcommand shares, for its help.
    static let exitStatusText = """
        Exit status: 0 done; 1 the daemon does not know the feed; 64 a malformed argument; 65 \
        the daemon refused the request (a bad ID, URL or interval); 66 the token file cannot be \
        read; 69 no daemon answers at --control (not running, another address, or no answer \
        within \(ControlClient.defaultTimeout.components.seconds) s); 70 an answer this command did not expect; 75 a passing failure on the \
        daemon's side (try again); 77 the token is missing or refused.
        """
}

/// `--control` and `--token-file`, shared by every `feeds` subcommand.
struct FeedsControlOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's control endpoint (its --control).", valueName: "host:port"))
    var control = DaemonConfiguration.defaultControl

    @Option(
        help: ArgumentHelp(
            "A file holding the control token (default: the \(BearerToken.environmentVariable) environment variable, when set).",
            valueName: "file"))
    var tokenFile: String?

    func validate() throws {
        _ = try address()
    }

    /// `--control` split into host and port.
    func address() throws -> (host: String, port: Int) {
        do {
            return try DaemonConfiguration.hostAndPort(control)
        } catch {
            throw ValidationError("--control \(control): must be HOST:PORT, as in \(DaemonConfiguration.defaultControl) or [::1]:8425")
        }
    }
}

/// Reads a feed ID argument the way the rest of the program does (decimal, `0...Int64.max`).
enum FeedsArguments {
    static func feedID(_ text: String) throws -> Int64 {
        do { return try ShardRangeText.feedID(text) } catch { throw ValidationError("ID: \(error)") }
    }
}
