extension Duration {
    /// The whole milliseconds in this duration (rounded toward zero): what libcurl's `_MS`
    /// options and `curl_multi_poll` take.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
