/// Why a ``ControlClient`` exchange got no HTTP answer. A status the daemon sends (404, 503…)
/// is an answer, not one of these.
public enum ControlClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every address of the host refused the connection: nothing listens there (the daemon is
    /// not running, or its control endpoint is on another address or off).
    case notRunning
    /// No answer within the client's timeout (connecting, sending or waiting for the answer).
    case timeout
    /// The host could not be reached: its name did not resolve, no route to it, or a socket call
    /// failed; the reason, in words.
    case unreachable(String)
    /// The request cannot be sent as given (nothing was sent): a target that is not an encoded
    /// path, a port outside 0…65535, a line break in the token; what is wrong.
    case invalidRequest(String)
    /// What came back is not an HTTP/1.x response the client can read; what is wrong with it.
    case badResponse(String)

    public var description: String {
        switch self {
        case .notRunning: "connection refused (nothing listens there)"
        case .timeout: "no answer in time"
        case .unreachable(let reason): "unreachable: \(reason)"
        case .invalidRequest(let reason): "cannot send the request: \(reason)"
        case .badResponse(let reason): "not a readable HTTP answer: \(reason)"
        }
    }
}
