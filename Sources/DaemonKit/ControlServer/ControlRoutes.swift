/// Answers one request. Runs in a task of its own, so it may await an actor of the daemon;
/// the server waits for it at most ``ControlServerLimits/handlerTimeout``.
public typealias ControlHandler = @Sendable (ControlRequest) async -> ControlResponse

/// Which handler answers which method and path: exact paths (`/metrics`), and prefixes for
/// paths that carry a name (`/feeds/` answers `/feeds/42`; the handler reads the rest of
/// `request.path`). An exact path wins over a prefix, a longer prefix over a shorter. A `GET`
/// route also answers `HEAD`, without the body.
public struct ControlRoutes: Sendable {
    private var handlers: [String: [HTTPMethod: ControlHandler]] = [:]
    /// Prefix routes, longest prefix first.
    private var prefixHandlers: [(prefix: String, byMethod: [HTTPMethod: ControlHandler])] = []

    public init() {}

    /// Routes `method` on `path` (e.g. `/metrics`) to `handler`, replacing an earlier one.
    public mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping ControlHandler) {
        handlers[path, default: [:]][method] = handler
    }

    /// Routes `method` on every path that starts with `prefix` and goes on (`/feeds/` answers
    /// `/feeds/42`, not `/feeds/`), replacing an earlier one.
    public mutating func add(_ method: HTTPMethod, prefix: String, _ handler: @escaping ControlHandler) {
        if let index = prefixHandlers.firstIndex(where: { $0.prefix == prefix }) {
            prefixHandlers[index].byMethod[method] = handler
        } else {
            prefixHandlers.append((prefix, [method: handler]))
            prefixHandlers.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
        }
    }

    /// What the server does with a request for `method` on `path`.
    enum Resolution {
        /// Run `handler`; `headOnly` for a `HEAD` answered by the `GET` route.
        case handle(ControlHandler, headOnly: Bool)
        /// No route has this path: 404.
        case notFound
        /// The path exists with other methods: 405 with `Allow: allowed`.
        case methodNotAllowed(allowed: [HTTPMethod])
    }

    func resolve(_ method: HTTPMethod, _ path: String) -> Resolution {
        guard let byMethod = handlers[path] ?? prefixHandlers.first(where: { path.hasPrefix($0.prefix) && path.utf8.count > $0.prefix.utf8.count })?.byMethod
        else { return .notFound }
        if let handler = byMethod[method] { return .handle(handler, headOnly: false) }
        if method == .head, let handler = byMethod[.get] { return .handle(handler, headOnly: true) }
        var allowed = Set(byMethod.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }
}
