import Testing

@testable import ShardRouter

@Suite("Server URLs")
struct EndpointTests {
    /// A URL and the canonical URL it means.
    struct Accepted: Sendable, CustomTestStringConvertible {
        let input: String
        let canonical: String
        var testDescription: String { input }
    }

    @Test(
        "valid URLs and their canonical form",
        arguments: [
            Accepted(input: "redis://h", canonical: "redis://h:6379/0"),
            Accepted(input: "redis://h/", canonical: "redis://h:6379/0"),
            Accepted(input: "REDIS://Host.Example:1/15", canonical: "redis://host.example:1/15"),
            Accepted(input: "redis://10.0.0.1:65535/3", canonical: "redis://10.0.0.1:65535/3"),
            Accepted(input: "redis://[::1]", canonical: "redis://[::1]:6379/0"),
            Accepted(input: "redis://[FE80::1]:7000/2", canonical: "redis://[fe80::1]:7000/2"),
            Accepted(input: "redis://my_host-1:06379/007", canonical: "redis://my_host-1:6379/7"),
            Accepted(input: "redis://:pw@h", canonical: "redis://:pw@h:6379/0"),
            Accepted(
                input: "redis://:p%40ss%2Fw%25rd@h:1/1", canonical: "redis://:p%40ss%2Fw%25rd@h:1/1"
            ),
            Accepted(input: "redis://:a:b@c@h", canonical: "redis://:a%3Ab%40c@h:6379/0"),
            Accepted(
                input: "redis://:%C3%A9t%C3%A9@h", canonical: "redis://:%C3%A9t%C3%A9@h:6379/0"),
        ])
    func accepts(_ case_: Accepted) throws {
        let endpoint = try ShardEndpoint(url: case_.input)
        #expect(endpoint.url == case_.canonical)
        // The canonical URL means the same endpoint.
        #expect(try ShardEndpoint(url: endpoint.url) == endpoint)
    }

    @Test("parts are decoded: host lower case, defaults, the password percent-decoded")
    func parts() throws {
        let endpoint = try ShardEndpoint(url: "redis://:p%40ss%20w%C3%B6rd@Cache.Example:6380/4")
        #expect(endpoint.host == "cache.example")
        #expect(endpoint.port == 6380)
        #expect(endpoint.database == 4)
        #expect(endpoint.password == "p@ss wörd")
        #expect(endpoint.redactedURL == "redis://:***@cache.example:6380/4")
        let bare = try ShardEndpoint(url: "redis://h")
        #expect(
            bare.port == ShardEndpoint.defaultPort && bare.database == 0 && bare.password == nil)
        #expect(bare.redactedURL == "redis://h:6379/0")
    }

    @Test("a bad URL given alone is refused without a line number")
    func refusesAlone() {
        let error = refusal { () throws(ShardMapError) in try ShardEndpoint(url: "redis://h:99999")
        }
        #expect(error == .invalidEndpoint(problem: .portOutOfRange("99999")))
        #expect(error?.line == nil)
        #expect(
            error?.description
                == "bad server URL: port 99999 is outside 1-65535: write a port from 1 to 65535")
        let space = refusal { () throws(ShardMapError) in try ShardEndpoint(url: "redis://:a b@h") }
        #expect(space == .invalidEndpoint(problem: .forbiddenCharacter))
    }

    @Test("the memberwise initializer validates like the URL parser")
    func memberwise() throws {
        let endpoint = try ShardEndpoint(host: "Cache", port: 7000, database: 2, password: "x/y")
        #expect(endpoint == (try ShardEndpoint(url: "redis://:x%2Fy@cache:7000/2")))
        #expect(try ShardEndpoint(host: "::1").url == "redis://[::1]:6379/0")
        let refusals: [ShardMapError?] = [
            refusal { () throws(ShardMapError) in try ShardEndpoint(host: "") },
            refusal { () throws(ShardMapError) in try ShardEndpoint(host: "a b") },
            refusal { () throws(ShardMapError) in try ShardEndpoint(host: "h", port: 0) },
            refusal { () throws(ShardMapError) in try ShardEndpoint(host: "h", database: 16) },
            refusal { () throws(ShardMapError) in try ShardEndpoint(host: "h", password: "") },
        ]
        #expect(
            refusals == [
                .invalidEndpoint(problem: .missingHost), .invalidEndpoint(problem: .invalidHost),
                .invalidEndpoint(problem: .portOutOfRange("0")),
                .invalidEndpoint(problem: .databaseOutOfRange("16")),
                .invalidEndpoint(problem: .emptyPassword),
            ])
    }

    @Test("endpoints differing only in spelling are equal; in password, not")
    func equality() throws {
        #expect(try ShardEndpoint(url: "redis://H:6379/0") == ShardEndpoint(url: "redis://h"))
        #expect(try ShardEndpoint(url: "redis://:a@h") != ShardEndpoint(url: "redis://:b@h"))
        #expect(try ShardEndpoint(url: "redis://h/1") != ShardEndpoint(url: "redis://h/2"))
    }
}
