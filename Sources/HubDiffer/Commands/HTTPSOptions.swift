import ArgumentParser
import Fetcher
import HubDaemon

/// `--ca-file` and `--http2`, the same on `run`, `fetch` and `bench fetch` (their help is the
/// daemon's settings').
struct HTTPSOptions: ParsableArguments {
    @Option(help: .setting("ca-file")) var caFile: String?
    @Option(help: .setting("http2")) var http2: String?

    /// The `--http2` value as a switch; nil when not given.
    func http2Enabled() throws -> Bool? {
        guard let http2 else { return nil }
        guard let enabled = DaemonConfiguration.switchValue(http2) else { throw ValidationError("--http2 must be on or off") }
        return enabled
    }

    func validate() throws {
        if let caFile, let problem = FetcherOptions.caFileProblem(caFile) { throw ValidationError("--ca-file: \(problem)") }
        _ = try http2Enabled()
    }
}
