import Foundation
import TestSupport
import Testing

/// `hubdiffer feeds`, run as the built executable, where no daemon is needed: what it says when
/// none answers, its help, and its usage errors. (The exchanges with a daemon are tested
/// against `hubdiffer run` itself.)
@Suite("hubdiffer feeds", .ownThread)
struct FeedsCommandTests {
    static let subcommands = ["add", "remove", "show", "failing"]

    @Test("no daemon at --control: exit 69 and one line saying what to check")
    func noDaemon() throws {
        let port = try RedisServerProcess.freePort()
        for arguments in [["show", "1"], ["failing"], ["add", "1", "https://example.com/feed.xml"], ["remove", "1"]] {
            let run = try ParseCommandTests.run(["feeds"] + arguments + ["--control", "127.0.0.1:\(port)"])
            #expect(run.status == 69, "\(arguments)")
            #expect(
                run.stderr == "no daemon answers at 127.0.0.1:\(port): is `hubdiffer run` running? (--control HOST:PORT)\n",
                "\(arguments)")
            #expect(run.stdout.isEmpty)
        }
    }

    @Test("each subcommand's --help gives examples and the exit statuses", arguments: subcommands)
    func help(subcommand: String) throws {
        let run = try ParseCommandTests.run(["feeds", subcommand, "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Examples:\n  hubdiffer feeds \(subcommand)"))
        #expect(run.stdout.contains("--control <host:port>"))
        // The help is wrapped to the terminal's width: compare words.
        let words = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("HUBDIFFER_CONTROL_TOKEN"))
        #expect(words.contains("69 no daemon answers at --control"))
        #expect(words.contains("77 the token is missing or refused"))
    }

    @Test(
        "usage errors exit 64 before anything is sent",
        arguments: [
            ["show", "abc"], ["show", "-1"], ["add", "1"], ["add", "1", "https://example.com/", "--interval", "0"],
            ["remove"], ["failing", "--limit", "0"], ["failing", "--offset", "-1"], ["show", "1", "--control", "8425"],
            ["show", "1", "--control", "127.0.0.1:99999"],
        ])
    func usage(arguments: [String]) throws {
        let run = try ParseCommandTests.run(["feeds"] + arguments)
        #expect(run.status == 64)
        #expect(run.stderr.contains("Usage: hubdiffer feeds"))
    }

    @Test("a token file that cannot be read: exit 66 before connecting")
    func unreadableTokenFile() throws {
        let run = try ParseCommandTests.run(["feeds", "show", "1", "--token-file", "/nonexistent/control.token"])
        #expect(run.status == 66)
        #expect(run.stderr.hasPrefix("token file /nonexistent/control.token cannot be read"))
    }
}
