/// The answer to a ``ControlRequest``. The server adds `Content-Length` and
/// `Connection: close`; every connection carries one request.
public struct ControlResponse: Sendable, Equatable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The `Content-Type` of `body`.
    public var contentType: String
    /// The body; not sent in answer to `HEAD`.
    public var body: [UInt8]
    /// More header fields (`Allow`, `Retry-After`…). CR and LF are removed from names and values.
    public var headers: HTTPHeaderFields

    public init(
        status: Int = 200, contentType: String = "text/plain; charset=utf-8", body: [UInt8] = [],
        headers: HTTPHeaderFields = [:]
    ) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A `text/plain` response; a newline is added when `text` does not end with one.
    public static func text(_ text: String, status: Int = 200, headers: HTTPHeaderFields = [:]) -> ControlResponse {
        ControlResponse(
            status: status, contentType: "text/plain; charset=utf-8",
            body: Array((text.hasSuffix("\n") || text.isEmpty ? text : text + "\n").utf8), headers: headers)
    }

    /// An `application/json` response; a newline is added after `json`.
    public static func json(_ json: String, status: Int = 200) -> ControlResponse {
        ControlResponse(status: status, contentType: "application/json", body: Array((json + "\n").utf8))
    }

    /// The status line's reason phrase for `status` ("Not Found"), or "Status" for one this
    /// server does not know.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }

    /// The bytes on the wire: status line, fields, blank line, and the body unless `headOnly`.
    func serialized(headOnly: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        head += "Content-Type: \(Self.clean(contentType))\r\n"
        head += "Content-Length: \(body.count)\r\n"
        head += "Connection: close\r\n"
        for field in headers.fields {
            head += "\(Self.clean(field.name)): \(Self.clean(field.value))\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if !headOnly { bytes += body }
        return bytes
    }

    /// `text` without CR and LF, so a value cannot start a field of its own.
    private static func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }
}
