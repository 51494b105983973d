/// The sink a `--sink` URL names: `stdout`, `http(s)://…`, or `redis://host:port/KEY`.
enum SinkFactory {
    static func make(_ url: String) throws(SinkURLError) -> any EntrySink {
        if url == "stdout" || url == "-" { return StdoutSink() }
        throw SinkURLError(description: "--sink \(url): use stdout, http(s)://HOST/PATH or redis://HOST:PORT/STREAM-KEY")
    }
}
