import DaemonKit
import Foundation
import Logging
import TestSupport
import Testing

/// `GET /hello` with `fields` (each `Name: value`) on a new connection.
private func get(_ port: Int, _ fields: [String], path: String = "/hello") async throws -> TestHTTPResponse {
    try await TestHTTP.exchange(port: port, "GET \(path) HTTP/1.1\r\n\(fields.map { "\($0)\r\n" }.joined())\r\n")
}

/// `POST /ping` of one feed with `fields` (each `Name: value`) on a new connection.
private func ping(_ port: Int, _ fields: [String]) async throws -> TestHTTPResponse {
    let body = "hub.url=h&feed=1"
    let head = fields.map { "\($0)\r\n" }.joined()
    return try await TestHTTP.exchange(port: port, "POST /ping HTTP/1.1\r\n\(head)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
}

@Suite("ControlServer: Host, Origin and idle clients", .ownThread)
struct ControlServerHostTests {
    @Test func aForeignHostIsMisdirected() async throws {
        let book = FeedBook()
        try await withServer(pingRoutes(book)) { port async throws in
            for foreign in ["evil.example", "evil.example:\(port)", "127.0.0.1:1", "127.0.0.2:\(port)", ""] {
                let response = try await get(port, ["Host: \(foreign)"])
                #expect(response.status == 421, "\(foreign)")
                #expect(response.text.contains("is not this endpoint's"), "\(foreign)")
            }
            #expect(try await ping(port, ["Host: rebound.example:\(port)"]).status == 421)
        }
        #expect(await book.pinged.isEmpty)
    }

    @Test func theBoundAddressAndLoopbackNamesAreAccepted() async throws {
        try await withServer(pingRoutes(FeedBook())) { port async throws in
            for name in ["127.0.0.1", "127.0.0.1:\(port)", "localhost", "localhost:\(port)", "LocalHost:\(port)", "[::1]:\(port)"] {
                #expect(try await get(port, ["Host: \(name)"]).status == 200, "\(name)")
            }
        }
    }

    @Test func configuredNamesAreAccepted() async throws {
        try await withServer(pingRoutes(FeedBook()), allowedHostNames: ["hub.example.com", "proxy.example:8443"]) { port async throws in
            for name in ["hub.example.com", "hub.example.com:443", "HUB.example.com", "proxy.example:8443"] {
                #expect(try await get(port, ["Host: \(name)"]).status == 200, "\(name)")
            }
            #expect(try await get(port, ["Host: proxy.example"]).status == 200)  // no port: the proxy's default
            #expect(try await get(port, ["Host: proxy.example:80"]).status == 421)
            #expect(try await ping(port, ["Host: hub.example.com", "Origin: https://hub.example.com"]).status == 202)
            #expect(try await ping(port, ["Host: hub.example.com", "Origin: https://evil.example"]).status == 403)
        }
    }

    @Test func http11WithoutHostIs400AndHttp10WithoutHostIsServed() async throws {
        try await withServer(pingRoutes(FeedBook())) { port async throws in
            let missing = try await get(port, [])
            #expect(missing.status == 400)
            #expect(missing.text.contains("Host"))
            #expect(try await get(port, ["Host: 127.0.0.1", "Host: evil.example"]).status == 400)
            let old = try await TestHTTP.exchange(port: port, "GET /hello HTTP/1.0\r\n\r\n")
            #expect(old.status == 200)
        }
    }

    @Test func aPostFromAForeignOriginIsRefusedAndFromItsOwnServed() async throws {
        let book = FeedBook()
        try await withServer(pingRoutes(book)) { port async throws in
            let host = "Host: 127.0.0.1:\(port)"
            for foreign in ["https://evil.example", "http://localhost:3000", "http://127.0.0.1", "null", "file://"] {
                let response = try await ping(port, [host, "Origin: \(foreign)"])
                #expect(response.status == 403, "\(foreign)")
                #expect(response.text.contains("Origin"), "\(foreign)")
            }
            #expect(await book.pinged.isEmpty)
            for own in ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "HTTP://LOCALHOST:\(port)"] {
                #expect(try await ping(port, [host, "Origin: \(own)"]).status == 202, "\(own)")
            }
            #expect(try await ping(port, [host]).status == 202)  // curl, a publisher: no Origin
            // Reading is not refused for its Origin, only for its Host.
            #expect(try await get(port, [host, "Origin: https://evil.example"]).status == 200)
            #expect(try await get(port, ["Host: evil.example", "Origin: https://evil.example"]).status == 421)
        }
        #expect(await book.pinged.count == 4)
    }

    @Test func twoHundredIdleConnectionsDoNotHoldUpRequests() async throws {
        var limits = ControlServerLimits()
        limits.headTimeout = .seconds(60)  // the idle ones stay for the whole test: the cap is the subject
        limits.requestTimeout = .seconds(60)
        try await withServer(pingRoutes(FeedBook()), limits: limits) { port async throws in
            var idle: [TestConnection] = []
            for _ in 0..<200 { idle.append(try await TestConnection(port: port)) }
            // Accepted in arrival order: each request below comes after the 200 idle ones.
            var latencies: [Duration] = []
            for _ in 0..<20 {
                let started = ContinuousClock.now
                let response = try await TestHTTP.get(port: port, "/hello")
                latencies.append(started.duration(to: .now))
                #expect(response.status == 200)
            }
            latencies.sort()
            print("GET with 200 idle connections: median \(latencies[10]), max \(latencies[19])")
            // Generous for a loaded machine (handlers run on the cooperative pool).
            #expect(latencies[10] < .seconds(2), "\(latencies)")
            #expect(idle.count == 200)
        }
    }

    @Test func idleConnectionsAreClosedAtTheHeadDeadlineAndABodyMayTakeLonger() async throws {
        var limits = ControlServerLimits()
        limits.headTimeout = .milliseconds(300)
        limits.requestTimeout = .seconds(60)
        var routes = ControlRoutes()
        routes.add(.post, "/size") { request in .text("\(request.body.count)") }
        try await withServer(routes, limits: limits) { port async throws in
            // Its head arrives in time; its body is still on the way when the others are closed.
            let uploading = try await TestConnection(port: port)
            try await uploading.send("POST /size HTTP/1.1\r\nHost: \(host(port))\r\nContent-Length: 5\r\n\r\nab")
            let silent = try await TestConnection(port: port)
            let partial = try await TestConnection(port: port)
            let started = ContinuousClock.now
            try await partial.send("GET /size HTTP/1.1\r\nHo")

            #expect(try await silent.readUntilClosed().isEmpty)  // closed without a word
            #expect(started.duration(to: .now) < .seconds(30), "the head deadline, not the request's")
            let timedOut = try #require(TestHTTPResponse(try await partial.readUntilClosed()))
            #expect(timedOut.status == 408)
            #expect(timedOut.text.contains("request head"))

            try await uploading.send("cde")
            let uploaded = try #require(TestHTTPResponse(try await uploading.readUntilClosed()))
            #expect(uploaded.status == 200)
            #expect(uploaded.text == "5\n")
        }
    }

    @Test func refusalsAreLoggedOncePerKindAndInterval() async throws {
        let record = LogRecord()
        var limits = ControlServerLimits()
        limits.warningInterval = .seconds(3600)
        try await withServer(pingRoutes(FeedBook()), limits: limits, logger: record.logger(level: .info)) { port async throws in
            for index in 0..<5 { #expect(try await get(port, ["Host: rebound\(index).example"]).status == 421) }
            for _ in 0..<3 { #expect(try await ping(port, ["Host: \(host(port))", "Origin: https://evil.example"]).status == 403) }
        }
        // Each line is logged before its answer is sent: all are in by now.
        let warnings = record.messages(at: .warning)
        #expect(warnings.filter { $0.contains("421") }.count == 1, "\(warnings)")
        #expect(warnings.filter { $0.contains("403") }.count == 1, "\(warnings)")
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.first { $0.contains("421") }?.contains("rebound0.example") == true)
    }
}
