/// `redis://[:PASSWORD@]HOST[:PORT][/DB]` → ``ShardEndpoint``: a ``RedisURL`` with no query
/// whose path is a database number.
enum ShardEndpointParser {
    static func parse(_ url: String) throws(ShardURLProblem) -> ShardEndpoint {
        let parts = try RedisURL(parsing: url, allowingQuery: false)
        let database = try parseDatabase(parts.path)
        return ShardEndpoint(validHost: parts.host, port: parts.port, database: database, password: parts.password)
    }

    private static func parseDatabase(_ path: Substring) throws(ShardURLProblem) -> Int {
        let digits = path.dropFirst()  // the '/'
        if digits.isEmpty { return 0 }
        guard digits.utf8.allSatisfy(RedisURL.isDigit) else { throw .invalidDatabase }
        guard digits.utf8.count <= 3, let database = Int(digits),
            (0...ShardEndpoint.maxDatabase).contains(database)
        else { throw .databaseOutOfRange(RedisURL.shortDigits(digits)) }
        return database
    }
}
