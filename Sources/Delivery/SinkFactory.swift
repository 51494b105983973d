import Fetcher
import Foundation
import ShardRouter

/// The sink a `--sink` URL names: `stdout`, `http(s)://…`, or `redis://host:port/KEY`.
public enum SinkFactory {
    /// `caFile` and `http2` are the daemon's, for an HTTPS sink.
    public static func make(_ url: String, caFile: String? = nil, http2: Bool = FetcherOptions().http2) throws(SinkURLError) -> any EntrySink {
        if url == "stdout" || url == "-" { return StdoutSink() }
        let lowered = url.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            try checkHTTP(url)
            return HTTPSink(url: url, options: HTTPSink.fetcherOptions(caFile: caFile, http2: http2))
        }
        if lowered.hasPrefix("redis://") {
            return RedisStreamSink(target: try RedisStreamSink.parse(url))
        }
        if lowered.hasPrefix("rediss://") {
            throw SinkURLError(
                description: "--sink \(ShardEndpoint.redactingPasswords(in: url)): Redis over TLS (rediss://) is not supported; write \(RedisStreamSink.usage)")
        }
        throw SinkURLError(description: "--sink \(HTTPSink.redacted(url)): use stdout, http(s)://HOST/PATH or \(RedisStreamSink.usage)")
    }

    /// Refuses an http(s) URL that libcurl would not take as the operator meant it.
    private static func checkHTTP(_ url: String) throws(SinkURLError) {
        let shown = HTTPSink.redacted(url)
        func refuse(_ why: String) -> SinkURLError {
            SinkURLError(description: "--sink \(shown): \(why); write http(s)://HOST[:PORT]/PATH")
        }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw refuse("spaces and control characters must be percent-encoded")
        }
        guard !url.contains("#") else { throw refuse("a fragment (#) is never sent") }
        guard let components = URLComponents(string: url) else { throw refuse("not a valid URL") }
        guard let host = components.host, !host.isEmpty else { throw refuse("the host is missing") }
        if let port = components.port, !(1...65535).contains(port) { throw refuse("the port is not 1–65535") }
    }
}
