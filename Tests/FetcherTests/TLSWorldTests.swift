import Foundation
import Testing
import TestSupport

/// The TLS world of the tests (`TestCertificates`, nginx in TLS mode) checked with the curl CLI
/// as the client: what it trusts, what it refuses and why, session resumption and HTTP/2.
@Suite("TLS world", .ownThread)
struct TLSWorldTests {
    /// One curl run: exit status, standard output, standard error.
    struct Curl {
        var status: Int32
        var body: String
        var errors: String
    }

    /// Runs curl with `arguments` (silent but for errors, no proxy, at most 10 s).
    static func curl(_ arguments: [String]) throws -> Curl {
        let result = try ChildProcess.runCapturingErrors(
            "/usr/bin/curl", ["-sS", "--noproxy", "*", "--max-time", "10"] + arguments)
        return Curl(
            status: result.status, body: String(decoding: result.output, as: UTF8.self),
            errors: String(decoding: result.errors, as: UTF8.self))
    }

    static let feed = FeedFixtures.rss(items: 1...3)

    static func nginx(_ tls: NginxTLS) throws -> NginxProcess {
        try NginxProcess(files: ["feed.xml": Array(feed.utf8)], tls: tls)
    }

    // MARK: Trust

    @Test("a certificate from the test CA is trusted through caFile and bundleFile, for its names")
    func trusted() throws {
        let certificates = try TestCertificates()
        let nginx = try Self.nginx(NginxTLS(certificates.server))
        defer { nginx.stop() }
        #expect(nginx.baseURL == nginx.httpsURL)

        let byCA = try Self.curl(["--cacert", certificates.caFile, nginx.url("/feed.xml")])
        #expect(byCA.status == 0, "\(byCA.errors)")
        #expect(byCA.body == Self.feed)

        // The realistic CA file: the system's ~140 certificates and the test CA, by host name.
        let systemCount = TestCertificates.certificateCount(in: TestCertificates.systemBundle)
        #expect(systemCount > 100)
        #expect(TestCertificates.certificateCount(in: certificates.bundleFile) == systemCount + 1)
        let byBundle = try Self.curl(["--cacert", certificates.bundleFile, nginx.url("/feed.xml", host: "localhost")])
        #expect(byBundle.status == 0, "\(byBundle.errors)")
        #expect(byBundle.body == Self.feed)

        // A name under the wildcard, resolved to loopback by curl.
        let wildcard = try Self.curl([
            "--cacert", certificates.caFile, "--resolve", "a.feeds.test:\(nginx.port):127.0.0.1",
            nginx.url("/feed.xml", host: "a.feeds.test"),
        ])
        #expect(wildcard.status == 0, "\(wildcard.errors)")
        #expect(wildcard.body == Self.feed)

        // The system bundle alone does not know the test CA.
        let untrusted = try Self.curl(["--cacert", TestCertificates.systemBundle, nginx.url("/feed.xml")])
        #expect(untrusted.status == 60)
        #expect(untrusted.errors.contains("unable to get local issuer certificate"), "\(untrusted.errors)")

        let log = nginx.accessLog(atLeast: 3)
        #expect(log.map(\.uri) == ["/feed.xml", "/feed.xml", "/feed.xml"])
        #expect(log.allSatisfy { $0.status == 200 && $0.tlsProtocol == "TLSv1.3" && $0.protocol == "HTTP/1.1" })
    }

    /// The broken certificates and what curl (7.88, OpenSSL 3.0) says of each.
    enum Broken: String, CaseIterable, Sendable {
        case expired, wrongHost, unknownIssuer

        func pair(of certificates: TestCertificates) -> CertificatePair {
            switch self {
            case .expired: certificates.expired
            case .wrongHost: certificates.wrongHost
            case .unknownIssuer: certificates.unknownIssuer
            }
        }

        var message: String {
            switch self {
            case .expired: "SSL certificate problem: certificate has expired"
            case .wrongHost: "SSL: no alternative certificate subject name matches target host name '127.0.0.1'"
            case .unknownIssuer: "SSL certificate problem: unable to get local issuer certificate"
            }
        }
    }

    @Test(
        "curl refuses an expired, a wrong-name and an unknown-issuer certificate with exit 60",
        arguments: Broken.allCases)
    func refused(_ broken: Broken) throws {
        let certificates = try TestCertificates()
        let nginx = try Self.nginx(NginxTLS(broken.pair(of: certificates)))
        defer { nginx.stop() }
        for caFile in [certificates.caFile, certificates.bundleFile] {
            let result = try Self.curl(["--cacert", caFile, nginx.url("/feed.xml")])
            #expect(result.status == 60)
            #expect(result.errors.contains(broken.message), "\(result.errors)")
            #expect(result.body.isEmpty)
        }
        // Verified anyway, nginx serves it: the refusal is the certificate's, not the server's.
        let insecure = try Self.curl(["--insecure", nginx.url("/feed.xml")])
        #expect(insecure.status == 0, "\(insecure.errors)")
        #expect(insecure.body == Self.feed)
        #expect(nginx.accessLog(atLeast: 1).map(\.uri) == ["/feed.xml"])
    }

    // MARK: Connections

    @Test("keepalive off: a second fetch in one curl is a new connection that resumes the TLS session",
        arguments: [nil, "1.2"])
    func resumption(tlsMax: String?) throws {
        let certificates = try TestCertificates()
        let nginx = try Self.nginx(NginxTLS(certificates.server, keepalive: false))
        defer { nginx.stop() }
        let url = nginx.url("/feed.xml")
        let limit = tlsMax.map { ["--tls-max", $0] } ?? []
        let result = try Self.curl(["--cacert", certificates.caFile] + limit + [url, url])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.body == Self.feed + Self.feed)

        let log = nginx.accessLog(atLeast: 2)
        try #require(log.count == 2)
        #expect(log[0].connection != log[1].connection)
        #expect(log.map(\.connectionRequests) == [1, 1])
        #expect(log.map(\.sessionReused) == [false, true])
        #expect(log.allSatisfy { $0.tlsProtocol == (tlsMax == "1.2" ? "TLSv1.2" : "TLSv1.3") })
    }

    @Test("without session resumption every connection has a full handshake")
    func noResumption() throws {
        let certificates = try TestCertificates()
        let nginx = try Self.nginx(NginxTLS(certificates.server, keepalive: false, sessionResumption: false))
        defer { nginx.stop() }
        for limit in [[], ["--tls-max", "1.2"]] {
            let url = nginx.url("/feed.xml")
            let result = try Self.curl(["--cacert", certificates.caFile] + limit + [url, url])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.body == Self.feed + Self.feed)
        }
        let log = nginx.accessLog(atLeast: 4)
        #expect(log.count == 4)
        #expect(Set(log.map(\.connection)).count == 4)
        #expect(log.allSatisfy { !$0.sessionReused })
    }

    @Test("keepalive on: both fetches of one curl share a connection")
    func keepalive() throws {
        let certificates = try TestCertificates()
        let nginx = try Self.nginx(NginxTLS(certificates.server))
        defer { nginx.stop() }
        let url = nginx.url("/feed.xml")
        let result = try Self.curl(["--cacert", certificates.caFile, url, url])
        #expect(result.status == 0, "\(result.errors)")
        let log = nginx.accessLog(atLeast: 2)
        try #require(log.count == 2)
        #expect(log[0].connection == log[1].connection)
        #expect(log.map(\.connectionRequests) == [1, 2])
    }

    @Test("with http2 on, curl --http2 speaks HTTP/2 and --http1.1 HTTP/1.1")
    func http2() throws {
        let certificates = try TestCertificates()
        let nginx = try Self.nginx(NginxTLS(certificates.server, http2: true))
        defer { nginx.stop() }
        let url = nginx.url("/feed.xml")
        var versions: [String] = []
        for option in ["--http2", "--http1.1"] {
            let result = try Self.curl(
                ["--cacert", certificates.caFile, option, "-o", "/dev/null", "-w", "%{http_version}", url])
            #expect(result.status == 0, "\(result.errors)")
            versions.append(result.body)
        }
        #expect(versions == ["2", "1.1"])
        let log = nginx.accessLog(atLeast: 2)
        #expect(log.map(\.protocol) == ["HTTP/2.0", "HTTP/1.1"])
        #expect(log.allSatisfy { $0.status == 200 && $0.tlsProtocol == "TLSv1.3" })
    }

    @Test("issue() makes more certificates, and an openssl failure throws with openssl's stderr")
    func issue() throws {
        let certificates = try TestCertificates()
        let extra = try certificates.issue(names: ["127.0.0.2", "extra.test"])
        #expect(extra.names == ["127.0.0.2", "extra.test"])
        let verified = try ChildProcess.runCapturingErrors(
            "/usr/bin/openssl", ["verify", "-CAfile", certificates.caFile, extra.certificateFile])
        #expect(verified.status == 0, "\(String(decoding: verified.errors, as: UTF8.self))")

        // An empty DNS name: `openssl ca` refuses the subjectAltName.
        let error = try #require(throws: TestCertificatesError.self) { try certificates.issue(names: [""]) }
        guard case .opensslFailed(let arguments, let status, let stderr) = error else {
            Issue.record("not an openssl failure: \(error)")
            return
        }
        #expect(arguments.first == "ca")
        #expect(status != 0)
        #expect(stderr.contains("subjectAltName"), "\(stderr)")
        #expect(error.description.contains(stderr))
    }

    @Test("the directory of TestCertificates is removed when it is released")
    func cleanup() throws {
        var certificates: TestCertificates? = try TestCertificates()
        let directory = try #require(certificates?.directory)
        #expect(FileManager.default.fileExists(atPath: "\(directory)/bundle.pem"))
        certificates = nil
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("the access log parser reads nginx's format and refuses other lines")
    func accessLine() throws {
        let line = try #require(NginxAccessLine(line: "7 2 r TLSv1.2 HTTP/2.0 304 /a b?c=1"))
        #expect(line.connection == 7)
        #expect(line.connectionRequests == 2)
        #expect(line.sessionReused)
        #expect(line.tlsProtocol == "TLSv1.2")
        #expect(line.protocol == "HTTP/2.0")
        #expect(line.status == 304)
        #expect(line.uri == "/a b?c=1")
        #expect(NginxAccessLine(line: "1 1 . - HTTP/1.1 200 /")?.tlsProtocol == nil)
        #expect(NginxAccessLine(line: "127.0.0.1 - - [01/Jan/2026] \"GET / HTTP/1.1\" 200") == nil)
    }
}
