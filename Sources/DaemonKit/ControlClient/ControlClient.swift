import SystemCalls

/// A small blocking HTTP/1.1 client for the daemon's control endpoint (``ControlServer``), as
/// the `hubdiffer feeds` commands use it: one request per connection (`Connection: close`),
/// the answer read to the end of the connection.
///
/// ```swift
/// let client = ControlClient(host: "127.0.0.1", port: 8425)
/// let answer = try client.send(.get, "/feeds/42")
/// print(answer.status, answer.text)
/// ```
///
/// Blocks the calling thread for up to ``timeout`` (name resolution aside: getaddrinfo(3) has
/// no deadline of its own): call it from a command's `run()` or a thread of its own, never from
/// the cooperative pool.
public struct ControlClient: Sendable {
    /// The host: an IPv4 or IPv6 literal (without brackets) or a name.
    public let host: String
    /// The TCP port.
    public let port: Int
    /// The whole exchange's bound: connecting, sending and reading the answer.
    public var timeout: Duration

    /// Longer than the server gives a handler, so a slow handler's own answer (503) arrives.
    public static let defaultTimeout = ControlServerLimits().handlerTimeout + .seconds(5)
    /// The longest answer read; a longer one is ``ControlClientError/badResponse(_:)``.
    public var maxResponseBytes = 16 * 1024 * 1024

    /// A client of `host:port`; nothing is opened before ``send(_:_:body:contentType:token:)``.
    public init(host: String, port: Int, timeout: Duration = defaultTimeout) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// `host:port` as a `Host` field and in messages (`[::1]:8425` for IPv6).
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Sends one request and returns the answer, whatever its status.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`, `DELETE`…
    ///   - target: the path with its query, percent-encoded as it goes on the wire (`/feeds?state=gone`).
    ///   - body: sent with `Content-Length` when not empty (or when `contentType` is given).
    ///   - contentType: the body's `Content-Type`.
    ///   - token: sent as `Authorization: Bearer TOKEN`.
    public func send(
        _ method: HTTPMethod, _ target: String, body: [UInt8] = [], contentType: String? = nil, token: BearerToken? = nil
    ) throws(ControlClientError) -> ControlClientResponse {
        let head = try requestHead(method, target, bodyLength: body.count, contentType: contentType, token: token)
        let deadline = ContinuousClock.now + timeout
        let fd = try ClientSocket.connect(host: host, port: port, deadline: deadline)
        defer { SystemCall.close(fd) }
        try ClientSocket.send(fd, Array(head.utf8) + body, deadline: deadline)
        let received = try ClientSocket.receiveAll(fd, limit: maxResponseBytes, deadline: deadline)
        return try ControlClientResponse(parsing: received, headOnly: method == .head)
    }

    /// The request line and header fields, checked: nothing given may start a line of its own.
    private func requestHead(
        _ method: HTTPMethod, _ target: String, bodyLength: Int, contentType: String?, token: BearerToken?
    ) throws(ControlClientError) -> String {
        guard (0...65_535).contains(port) else { throw .invalidRequest("port \(port) is outside 0…65535") }
        guard target.hasPrefix("/"), target.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidRequest("the request target must be an encoded path starting with /, got \"\(target)\"")
        }
        guard !method.rawValue.isEmpty, method.rawValue.utf8.allSatisfy(HTTPHeaderFields.isTokenByte) else {
            throw .invalidRequest("bad method \"\(method)\"")
        }
        let isFieldValue = { (text: String) in text.utf8.allSatisfy { $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) } }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
        if let token {
            guard isFieldValue(token.authorizationValue) else { throw .invalidRequest("the token holds a control character (a line break?)") }
            head += "Authorization: \(token.authorizationValue)\r\n"
        }
        if let contentType {
            guard isFieldValue(contentType) else { throw .invalidRequest("the content type holds a control character") }
            head += "Content-Type: \(contentType)\r\n"
        }
        if bodyLength > 0 || contentType != nil || method == .put || method == .post {
            head += "Content-Length: \(bodyLength)\r\n"
        }
        return head + "\r\n"
    }
}
