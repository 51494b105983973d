import ShardRouter
import URLEncoding

extension RedisStreamSink {
    public static let usage = "redis://[:PASSWORD@]HOST[:PORT]/STREAM-KEY[?maxlen=N&db=D]"

    /// Parses `redis://[:PASSWORD@]HOST[:PORT]/KEY[?maxlen=N&db=D]`: a ``RedisURL`` whose path
    /// (percent-decoded, slashes kept) is the stream key, not a database number.
    public static func parse(_ url: String) throws(SinkURLError) -> Target {
        func refuse(_ why: String) -> SinkURLError {
            SinkURLError(description: "--sink \(ShardEndpoint.redactingPasswords(in: url)): \(why); write \(usage)")
        }
        let parts: RedisURL
        do { parts = try RedisURL(parsing: url, allowingQuery: true) } catch { throw refuse(problem(error)) }
        guard parts.path.count > 1, let key = PercentEncoding.decoded(parts.path.dropFirst()), !key.isEmpty else {
            throw refuse("the stream key is missing or badly percent-encoded")
        }
        if key.allSatisfy(\.isNumber) && key.count <= 2 {
            throw refuse(
                "\(key.debugDescription) looks like a database number, but the path is the stream key (use ?db=\(key) for a database)"
            )
        }

        var maxLength: Int? = defaultMaxLength
        var database = 0
        for parameter in (parts.query ?? "").split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count == 2 ? pair[1] : ""
            switch pair[0] {
            case "maxlen":
                guard let number = Int(value), number >= 0 else {
                    throw refuse("maxlen must be a whole number (0: no trimming), not \(String(value).debugDescription)")
                }
                maxLength = number == 0 ? nil : number
            case "db":
                guard let number = Int(value), (0...ShardEndpoint.maxDatabase).contains(number) else {
                    throw refuse("db must be 0–\(ShardEndpoint.maxDatabase), not \(String(value).debugDescription)")
                }
                database = number
            default:
                throw refuse("unknown parameter \(String(pair[0]).debugDescription) (maxlen and db are known)")
            }
        }

        do {
            let endpoint = try ShardEndpoint(host: parts.host, port: parts.port, database: database, password: parts.password)
            return Target(endpoint: endpoint, key: key, maxLength: maxLength)
        } catch {
            throw refuse("\(error)")
        }
    }

    /// What is wrong with a sink URL's scheme or authority, in the words of a sink.
    private static func problem(_ problem: ShardURLProblem) -> String {
        switch problem {
        case .unsupportedScheme: "not a redis:// URL"
        case .forbiddenCharacter: "spaces and control characters must be percent-encoded"
        case .queryOrFragment: "a fragment (#) has no meaning here"
        case .userName: "only a password can be given (no user name): redis://:PASSWORD@HOST…"
        case .portOutOfRange(let digits): "the port \(digits) is not 1–65535"
        case .emptyPort, .invalidPort: "the port is not 1–65535"
        default: "\(problem)"
        }
    }

    /// `redis://[:***@]host:port/KEY`.
    public static func redacted(_ target: Target) -> String {
        let auth = target.endpoint.password == nil ? "" : ":***@"
        let database = target.endpoint.database == 0 ? "" : "?db=\(target.endpoint.database)"
        let key = PercentEncoding.encode(target.key, keeping: "/:")
        return "redis://\(auth)\(target.endpoint.urlHost):\(target.endpoint.port)/\(key)\(database)"
    }
}
