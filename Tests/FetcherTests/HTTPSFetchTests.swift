import Foundation
import Testing
import TestSupport

@testable import Fetcher

/// The fetcher over HTTPS against a private CA and a TLS nginx made at test time: trust by
/// `caFile`, refused certificates by kind, TLS sessions resumed, HTTP/2 when offered.
@Suite("Fetcher over HTTPS", .serialized, .ownThread)
struct HTTPSFetchTests {
    static let feed = Array(FeedFixtures.rss(items: 1...3).utf8)

    static func fetcher(caFile: String?, http2: Bool = true) -> Fetcher {
        Fetcher(options: FetcherOptions(refusePrivateAddresses: false, caFile: caFile, http2: http2))
    }

    @Test("a feed trusted through the CA file is fetched; the system bundle alone refuses it as an unknown issuer")
    func trustedByCAFile() async throws {
        let certificates = try TestCertificates()
        let nginx = try NginxProcess(files: ["feed.xml": Self.feed], tls: NginxTLS(certificates.server))
        defer { nginx.stop() }
        let trusted = await Self.fetcher(caFile: certificates.caFile).fetch(FetchRequest(url: nginx.url("/feed.xml")))
        guard case .changed(let body) = trusted.outcome else {
            Issue.record("not fetched: \(trusted.outcome)")
            return
        }
        #expect(trusted.status == 200 && body.bytes == Self.feed)
        let bundled = await Self.fetcher(caFile: certificates.bundleFile).fetch(FetchRequest(url: nginx.url("/feed.xml")))
        #expect(bundled.status == 200)
        let system = await Self.fetcher(caFile: nil).fetch(FetchRequest(url: nginx.url("/feed.xml")))
        guard case .failed(.certificate(let problem, let detail)) = system.outcome else {
            Issue.record("not refused as a certificate problem: \(system.outcome)")
            return
        }
        #expect(problem == .unknownIssuer)
        #expect(detail.contains("unable to get local issuer certificate"))
    }

    @Test("expired, wrong host name and unknown issuer: each refused as a certificate problem of its own kind, with libcurl's words")
    func refusedCertificates() async throws {
        let certificates = try TestCertificates()
        let cases: [(CertificatePair, CertificateProblem, String)] = [
            (certificates.expired, .expired, "certificate has expired"),
            (certificates.wrongHost, .hostName, "no alternative certificate subject name matches"),
            (certificates.unknownIssuer, .unknownIssuer, "unable to get local issuer certificate"),
        ]
        for (pair, kind, words) in cases {
            let nginx = try NginxProcess(files: ["feed.xml": Self.feed], tls: NginxTLS(pair))
            defer { nginx.stop() }
            let result = await Self.fetcher(caFile: certificates.caFile).fetch(FetchRequest(url: nginx.url("/feed.xml")))
            #expect(result.outcome == .failed(.certificate(kind, result.failureDetail)), "\(kind): \(result.outcome)")
            #expect(result.failureDetail.contains(words), "\(kind): \(result.failureDetail)")
            #expect("\(result.outcome)".contains("TLS certificate refused"))
            // Nothing went out: after a marker sent without verification is logged, the log
            // holds the marker alone.
            _ = try ChildProcess.run("/usr/bin/curl", ["-sk", "-o", "/dev/null", nginx.url("/feed.xml?marker")])
            let log = nginx.accessLog(atLeast: 1)
            #expect(log.map(\.uri) == ["/feed.xml?marker"], "\(kind): a request went out over an unverified connection: \(log)")
        }
    }

    @Test("a second poll of a host on a new connection resumes the TLS session (nginx's $ssl_session_reused)")
    func sessionResumed() async throws {
        let certificates = try TestCertificates()
        let nginx = try NginxProcess(files: ["feed.xml": Self.feed], tls: NginxTLS(certificates.server, keepalive: false))
        defer { nginx.stop() }
        let fetcher = Self.fetcher(caFile: certificates.caFile)
        for _ in 0..<3 { #expect(await fetcher.fetch(FetchRequest(url: nginx.url("/feed.xml"))).status == 200) }
        let log = nginx.accessLog(atLeast: 3)
        #expect(Set(log.map(\.connection)).count == 3, "keep-alive is off: one connection a request")
        #expect(log.map(\.sessionReused) == [false, true, true], "\(log)")
    }

    @Test("idle connections kept: none, and each poll of a host is a new connection; one, and it serves them all; with three hosts taking turns, one kept closes the longest idle each time, two keep all three")
    func idleConnectionsKept() async throws {
        let certificates = try TestCertificates(names: TestCertificates.defaultNames + ["127.0.0.2"])
        let nginx = try NginxProcess(
            files: ["feed.xml": Self.feed], moreAddresses: ["127.0.0.2"], tls: NginxTLS(certificates.server, http2: false))
        defer { nginx.stop() }
        func connections(idle: Int, hosts: [String]) async -> Int {
            let before = nginx.accessLog().count
            let fetcher = Fetcher(
                options: FetcherOptions(idleConnections: idle, refusePrivateAddresses: false, caFile: certificates.caFile, transferLoops: 1))
            // One transfer at a time: the one ending counts as running in its turn, so one more
            // than `idle` stays open.
            for round in 0..<6 {
                let url = nginx.url("/feed.xml", host: hosts[round % hosts.count])
                #expect(await fetcher.fetch(FetchRequest(url: url)).status == 200, "\(url)")
            }
            return Set(nginx.accessLog(atLeast: before + 6).dropFirst(before).map(\.connection)).count
        }
        let three = ["127.0.0.1", "127.0.0.2", "localhost"]
        #expect(await connections(idle: 0, hosts: ["127.0.0.1"]) == 6)
        #expect(await connections(idle: 1, hosts: ["127.0.0.1"]) == 1)
        #expect(await connections(idle: 1, hosts: three) == 6)
        #expect(await connections(idle: 2, hosts: three) == 3)
    }

    @Test("HTTP/2 when the server offers it; HTTP/1.1 with http2 off")
    func http2Negotiated() async throws {
        let certificates = try TestCertificates()
        let nginx = try NginxProcess(files: ["feed.xml": Self.feed], tls: NginxTLS(certificates.server, http2: true))
        defer { nginx.stop() }
        let on = Self.fetcher(caFile: certificates.caFile)
        let off = Self.fetcher(caFile: certificates.caFile, http2: false)
        #expect(await on.fetch(FetchRequest(url: nginx.url("/feed.xml?on"))).status == 200)
        #expect(await off.fetch(FetchRequest(url: nginx.url("/feed.xml?off"))).status == 200)
        let log = nginx.accessLog(atLeast: 2)
        #expect(log.first { $0.uri.hasSuffix("?on") }?.protocol == "HTTP/2.0", "\(log)")
        #expect(log.first { $0.uri.hasSuffix("?off") }?.protocol == "HTTP/1.1", "\(log)")
        // 40 polls of one host at once share one HTTP/2 connection.
        let statuses = await withTaskGroup(of: Int.self) { group in
            for index in 0..<40 { group.addTask { await on.fetch(FetchRequest(url: nginx.url("/feed.xml?many=\(index)"))).status } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        let many = nginx.accessLog(atLeast: 42).filter { $0.uri.contains("many=") }
        #expect(many.allSatisfy { $0.protocol == "HTTP/2.0" })
        #expect(Set(many.map(\.connection)).count <= 2, "\(Set(many.map(\.connection)).count) connections")
    }

    @Test("OpenSSL's verification results and libcurl's host-name message map to the problem kinds")
    func problemKinds() {
        #expect(CertificateProblem(verifyResult: 10, message: "") == .expired)
        #expect(CertificateProblem(verifyResult: 9, message: "") == .notYetValid)
        #expect(CertificateProblem(verifyResult: 20, message: "") == .unknownIssuer)
        #expect(CertificateProblem(verifyResult: 18, message: "") == .selfSigned)
        #expect(CertificateProblem(verifyResult: 0, message: "SSL: no alternative certificate subject name matches target host name 'a'") == .hostName)
        #expect(CertificateProblem(verifyResult: 7, message: "certificate signature failure") == .other)
    }

    @Test("a CA file that cannot be used is named before anything starts")
    func caFileProblems() throws {
        let certificates = try TestCertificates()
        #expect(FetcherOptions.caFileProblem(certificates.caFile) == nil)
        #expect(FetcherOptions.caFileProblem("/nonexistent/ca.pem")?.contains("cannot be read") == true)
        #expect(FetcherOptions.caFileProblem(certificates.server.keyFile)?.contains("no PEM certificate") == true)
    }
}

extension FetchResult {
    /// libcurl's words of a certificate failure ("" for anything else).
    fileprivate var failureDetail: String {
        if case .failed(.certificate(_, let detail)) = outcome { return detail }
        return ""
    }
}
