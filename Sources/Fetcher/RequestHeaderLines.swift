/// The header lines a transfer sends, as libcurl takes them (`Name: value`); `CurlMulti` turns
/// them into libcurl's lists.
enum RequestHeaderLines {
    /// What a poll asks for: feed types first, generic XML and JSON after, anything last.
    static let accept =
        "Accept: application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"

    /// A poll's: `Accept`, and the validators of the copy held (sent back verbatim).
    static func poll(_ validators: Validators) -> [String] {
        var lines = [accept]
        if let etag = validators.etag { lines.append("If-None-Match: \(etag)") }
        if let date = validators.lastModified { lines.append("If-Modified-Since: \(date)") }
        return lines
    }

    /// A POST's: its content type, an empty `Expect:` (no 100-continue wait on large bodies),
    /// then its own headers in order.
    static func post(_ request: PostRequest) -> [String] {
        ["Content-Type: \(request.contentType)", "Expect:"] + request.headers.map { "\($0.name): \($0.value)" }
    }
}
