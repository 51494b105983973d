@testable import DaemonKit
import Testing

@Suite("Form decoding, request heads and addresses")
struct RequestParsingTests {
    @Test func formDecodingHandlesPlusPercentAndRepeats() throws {
        let form = try FormFields(decoding: "hub.url=https%3A%2F%2Fex.com%2Fa%2Bb+c&feed=42&feed=43&&flag&empty=")
        #expect(form["hub.url"] == "https://ex.com/a+b c")
        #expect(form["feed"] == "42")
        #expect(form.values("feed") == ["42", "43"])
        #expect(form["flag"] == "")
        #expect(form["empty"] == "")
        #expect(form["missing"] == nil)
        #expect(form.fields.count == 5)
        #expect(try FormFields(decoding: "").isEmpty)
        #expect(try FormFields(decoding: "caf%C3%A9=%E2%82%AC")["café"] == "€")
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "%g1=b"])
    func brokenPercentEncodingIsAnError(_ text: String) {
        #expect(throws: FormDecodingError.invalidPercentEncoding(String(text.split(separator: "=").first { $0.contains("%") }!))) {
            try FormFields(decoding: text)
        }
    }

    @Test func nonUTF8IsAnError() {
        #expect(throws: FormDecodingError.invalidUTF8) { try FormFields(decoding: "a=%FF") }
    }

    @Test func requestFormFieldsChecksTheContentType() throws {
        var request = ControlRequest(method: .post, path: "/ping", body: Array("feed=1".utf8))
        #expect(try request.formFields()["feed"] == "1")
        request.headers = ["content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8"]
        #expect(try request.formFields()["feed"] == "1")
        request.headers = ["Content-Type": "text/plain"]
        #expect(throws: FormDecodingError.notFormEncoded(contentType: "text/plain")) { try request.formFields() }
    }

    @Test func headersCompareNamesWithoutCase() {
        var headers: HTTPHeaderFields = ["Content-Type": "a", "X-Two": "1"]
        headers.append("x-two", "2")
        #expect(headers["content-type"] == "a")
        #expect(headers.values("X-TWO") == ["1", "2"])
        #expect(headers["Content-Typ"] == nil)
    }

    @Test func aHeadIsParsedOnlyOnceComplete() {
        var head: HTTPRequestHead?
        let text = "\r\nPOST /ping?feed=1 HTTP/1.0\nHost: x\r\nContent-Length: 3\r\nX-Empty:\r\n\r\nabc"
        let bytes = Array(text.utf8)
        #expect(HTTPRequestHeadParser.parse(Array(bytes.prefix(20)), maxHeaderBytes: 1024, head: &head) == .incomplete)
        #expect(head == nil)
        let outcome = HTTPRequestHeadParser.parse(bytes, maxHeaderBytes: 1024, head: &head)
        #expect(outcome == .complete(bodyOffset: bytes.count - 3))
        #expect(head?.method == .post)
        #expect(head?.rawPath == "/ping")
        #expect(head?.rawQuery == "feed=1")
        #expect(head?.minorVersion == 0)
        #expect(head?.contentLength == 3)
        #expect(head?.headers["x-empty"] == "")
        #expect(head?.expectsContinue == false)
    }

    @Test func anEndlessHeadIsRefusedAtTheLimit() {
        var head: HTTPRequestHead?
        let bytes = Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "y", count: 2000)).utf8)
        #expect(HTTPRequestHeadParser.parse(bytes, maxHeaderBytes: 1024, head: &head) == .rejected(.init(status: 431, reason: "the request head is longer than 1024 bytes")))
    }

    @Test func responsesCannotSmuggleHeaderLines() {
        let response = ControlResponse.text("x", headers: ["X-Evil": "a\r\nSet-Cookie: b"])
        let wire = String(decoding: response.serialized(headOnly: false), as: UTF8.self)
        #expect(wire.contains("X-Evil: aSet-Cookie: b\r\n"))
        #expect(wire.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n"))
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.9.8.7", true), ("localhost", true), ("::1", true), ("[::1]", true),
        ("::ffff:127.0.0.1", true), ("0.0.0.0", false), ("10.1.2.3", false), ("::", false), ("fe80::1", false),
        ("::ffff:10.0.0.1", false), ("128.0.0.1", false),
    ])
    func loopbackAddressesAreRecognised(host: String, loopback: Bool) throws {
        let address = try #require(ListeningAddress(host: host, port: 80))
        #expect(address.isLoopback == loopback)
    }

    @Test func onlyLiteralAddressesParse() {
        #expect(ListeningAddress(host: "example.com", port: 80) == nil)
        #expect(ListeningAddress(host: "127.0.0.1", port: -1) == nil)
        #expect(ListeningAddress(host: "127.0.0.1", port: 65536) == nil)
        #expect(ListeningAddress(host: "127.0.0.1", port: 65535) != nil)
    }
}
