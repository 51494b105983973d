/// One request to the control endpoint, read in full (the body is at most
/// ``ControlServerLimits/maxBodyBytes``).
public struct ControlRequest: Sendable {
    /// The method as sent (`GET`, `POST`…).
    public var method: HTTPMethod
    /// The path, percent-decoded, without the query: `/ping`.
    public var path: String
    /// The query string's pairs, decoded as a form (`?feed=42&x=a+b`).
    public var query: FormFields
    /// The request's header fields, in order.
    public var headers: HTTPHeaderFields
    /// The body, exactly `Content-Length` bytes (empty without one).
    public var body: [UInt8]

    public init(
        method: HTTPMethod, path: String, query: FormFields = FormFields(), headers: HTTPHeaderFields = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The body decoded as `application/x-www-form-urlencoded` (`hub.url=…&feed=…`). Throws
    /// when the `Content-Type` says otherwise (a missing one is accepted, as curl `-d` sends
    /// the right one anyway) or the encoding is broken; answer 400 or 415 then.
    public func formFields() throws(FormDecodingError) -> FormFields {
        if let type = headers["Content-Type"] {
            let mediaType = type.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard HTTPHeaderFields.sameName(mediaType.trimmingSpaces(), "application/x-www-form-urlencoded") else {
                throw .notFormEncoded(contentType: type)
            }
        }
        return try FormFields(decoding: body)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (ASCII only, no Foundation).
    func trimmingSpaces() -> String {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
