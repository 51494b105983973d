import HubDaemon
import ArgumentParser
import Fetcher

/// `--ca-file` and `--http2`, the same on `run`, `fetch` and `bench fetch`.
struct HTTPSOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "CA certificates (PEM) that HTTPS servers (and an HTTPS sink) must chain to, instead of the system bundle; to trust a private CA as well as public ones, give the bundle with it appended (cat /etc/ssl/certs/ca-certificates.crt private.pem).",
            valueName: "file"))
    var caFile: String?

    @Option(
        help: ArgumentHelp(
            "on (default): HTTP/2 with HTTPS servers that offer it (many feeds of one host share a connection); off: HTTP/1.1 only.",
            valueName: "on|off"))
    var http2: String?

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
