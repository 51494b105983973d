@testable import DaemonKit
import Foundation
import TestSupport
import Testing

/// What a handler saw of the requests sent to it.
private actor RequestLog {
    private(set) var requests: [ControlRequest] = []

    func record(_ request: ControlRequest) { requests.append(request) }
}


/// `ControlClient` against a real `ControlServer` on loopback: what `hubdiffer feeds` sends and reads.
@Suite("ControlClient against a ControlServer", .ownThread)
struct ControlClientTests {
    @Test func getReadsStatusFieldsAndBody() async throws {
        var routes = ControlRoutes()
        routes.add(.get, "/hello") { request in .text("hello \(request.query["name"] ?? "nobody")") }
        try await withServer(routes) { port in
            let answer = try ControlClient(host: "127.0.0.1", port: port).send(.get, "/hello?name=J%C3%BCrgen+M")
            #expect(answer.status == 200)
            #expect(answer.text == "hello Jürgen M\n")
            #expect(answer.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(answer.headers["Connection"] == "close")
        }
    }

    @Test func putSendsTheFormAndTheBearerTokenTheHandlerSees() async throws {
        let log = RequestLog()
        var routes = ControlRoutes()
        routes.add(.put, "/feeds/42") { request in
            await log.record(request)
            return .text("feed 42 added: first poll within a few seconds", status: 201)
        }
        try await withServer(routes) { port in
            let form = FormFields([
                .init(name: "url", value: "https://example.com/feed.xml?a=1&b=c d+e"), .init(name: "interval", value: "600"),
            ])
            let answer = try ControlClient(host: "127.0.0.1", port: port).send(
                .put, "/feeds/42", body: Array(form.encoded.utf8), contentType: "application/x-www-form-urlencoded",
                token: try #require(BearerToken("s3cret token")))
            #expect(answer.status == 201)
            #expect(answer.text == "feed 42 added: first poll within a few seconds\n")
        }
        let request = try #require(await log.requests.first)
        #expect(request.method == .put)
        #expect(request.headers["Authorization"] == "Bearer s3cret token")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        let fields = try request.formFields()
        #expect(fields["url"] == "https://example.com/feed.xml?a=1&b=c d+e")
        #expect(fields["interval"] == "600")
    }

    @Test func anErrorStatusIsAnAnswer() async throws {
        try await withServer(ControlRoutes()) { port in
            let answer = try ControlClient(host: "127.0.0.1", port: port).send(.delete, "/feeds/7")
            #expect(answer.status == 404)
            #expect(answer.text == "no such path: /feeds/7\n")
        }
    }

    @Test func aNameIsResolvedAndEachAddressTried() async throws {
        var routes = ControlRoutes()
        routes.add(.get, "/hello") { _ in .text("hello") }
        // The server listens on 127.0.0.1 only; `localhost` may resolve to ::1 first.
        try await withServer(routes) { port in
            let answer = try ControlClient(host: "localhost", port: port).send(.get, "/hello")
            #expect(answer.status == 200)
            #expect(answer.text == "hello\n")
        }
    }

    @Test func aRefusedConnectionIsNotRunning() async throws {
        let server = ControlServer(port: 0, routes: ControlRoutes(), logger: quietLogger)
        try server.start()
        let port = try #require(server.boundPort)
        server.stop()
        await server.waitUntilStopped()
        let client = ControlClient(host: "127.0.0.1", port: port)
        // A child process another test started may hold the listening socket a moment longer.
        let refused = await waitUntil(timeout: .seconds(20)) {
            do {
                _ = try client.send(.get, "/health")
                return false
            } catch {
                return (error as? ControlClientError) == .notRunning
            }
        }
        #expect(refused)
        #expect(throws: ControlClientError.notRunning) { try client.send(.get, "/health") }
    }

    @Test func noAnswerWithinTheTimeoutIsTimeout() async throws {
        let gate = Gate()
        var routes = ControlRoutes()
        routes.add(.get, "/stuck") { _ in
            await gate.waitUntilOpen()
            return .text("too late")
        }
        try await withServer(routes) { port in
            let client = ControlClient(host: "127.0.0.1", port: port, timeout: .milliseconds(300))
            let started = ContinuousClock.now
            #expect(throws: ControlClientError.timeout) { try client.send(.get, "/stuck") }
            // Bounded by the client's timeout, with a margin for a loaded machine (the server's
            // own handler timeout is 10 s).
            #expect(started.duration(to: .now) < .seconds(5))
            await gate.open()
        }
    }

    @Test func anUnresolvableNameIsUnreachable() {
        #expect {
            try ControlClient(host: "no such host", port: 8425).send(.get, "/health")
        } throws: { error in
            guard case ControlClientError.unreachable(let reason) = error else { return false }
            return reason.contains("no such host")
        }
    }
}

@Suite("Control client requests and answers")
struct ControlClientParsingTests {
    @Test func anAnswerIsReadWithLFOrCRLFAndItsLength() throws {
        let crlf = try ControlClientResponse(
            parsing: Array("HTTP/1.1 404 Not Found\r\nContent-Length: 12\r\nX-A:  b \r\n\r\nno such feedEXTRA".utf8))
        #expect(crlf.status == 404)
        #expect(crlf.text == "no such feed")
        #expect(crlf.headers["x-a"] == "b")
        let lf = try ControlClientResponse(parsing: Array("HTTP/1.0 200\nContent-Type: text/plain\n\nto the end".utf8))
        #expect(lf.status == 200)
        #expect(lf.text == "to the end")
        let head = try ControlClientResponse(parsing: Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8), headOnly: true)
        #expect(head.body.isEmpty)
    }

    @Test func whatIsNotAnAnswerIsBadResponse() {
        for raw in [
            "", "SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            "HTTP/1.1 20 OK\r\n\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        ] {
            #expect(throws: ControlClientError.self, "\(raw.debugDescription)") {
                try ControlClientResponse(parsing: Array(raw.utf8))
            }
        }
    }

    @Test func formFieldsEncodeWhatTheyDecode() throws {
        let form = FormFields([.init(name: "url", value: "https://ex.com/a?b=1&c=d e+f%"), .init(name: "interval", value: "60")])
        #expect(form.encoded == "url=https%3A%2F%2Fex.com%2Fa%3Fb%3D1%26c%3Dd%20e%2Bf%25&interval=60")
        #expect(try FormFields(decoding: form.encoded) == form)
    }

    @Test func aLineBreakInTheTokenIsRefusedBeforeSending() throws {
        let token = try #require(BearerToken("a\r\nX-Evil: 1"))
        #expect(throws: ControlClientError.invalidRequest("the token holds a control character (a line break?)")) {
            try ControlClient(host: "127.0.0.1", port: 1).send(.get, "/feeds/1", token: token)
        }
    }
}
