import Testing

@testable import Fetcher

/// The pieces of the fetcher that need no server: Retry-After, address ranges, headers.
@Suite("Fetcher pieces")
struct FetcherUnitTests {
    @Test("Retry-After in seconds and in all three HTTP date forms, capped and never negative")
    func retryAfter() {
        let now: Int64 = 784_111_777  // Sun, 06 Nov 1994 08:49:37 GMT
        let cap = Duration.seconds(86_400)
        #expect(RetryAfter.delay("120", now: now, maximum: cap) == .seconds(120))
        #expect(RetryAfter.delay(" 0 ", now: now, maximum: cap) == .zero)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:50:37 GMT", now: now, maximum: cap) == .seconds(60))
        #expect(RetryAfter.delay("Sunday, 06-Nov-94 08:51:37 GMT", now: now, maximum: cap) == .seconds(120))
        #expect(RetryAfter.delay("Sun Nov  6 08:52:37 1994", now: now, maximum: cap) == .seconds(180))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:00:00 GMT", now: now, maximum: cap) == .zero)
        #expect(RetryAfter.delay("99999999", now: now, maximum: cap) == cap)
        #expect(RetryAfter.delay("soon", now: now, maximum: cap) == nil)
        #expect(RetryAfter.delay("+120", now: now, maximum: cap) == nil)
        #expect(RetryAfter.delay("-5", now: now, maximum: cap) == nil)
        #expect(RetryAfter.delay("99999999999999999999999", now: now, maximum: cap) == cap)
        #expect(RetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.httpDate("Sun, 22 Nov 2026 02:37:12 GMT") == 1_795_315_032)
    }

    @Test("private, loopback, link-local and reserved addresses are refused; public ones pass")
    func addresses() {
        let policy = AddressPolicy(refusePrivate: true)
        for refused: [UInt8] in [
            [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1], [169, 254, 169, 254],
            [100, 64, 0, 1], [0, 0, 0, 0], [224, 0, 0, 1], [255, 255, 255, 255],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],  // ::1
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1],  // ::ffff:127.0.0.1
            [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],  // fe80::1
            [0xFD, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],  // fd00::1
        ] {
            #expect(!policy.permits(refused), "\(AddressPolicy.text(refused))")
        }
        for allowed: [UInt8] in [
            [93, 184, 216, 34], [8, 8, 8, 8], [172, 32, 0, 1], [100, 128, 0, 1],
            [0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0, 1, 0x2, 0x48, 0x18, 0x93, 0x25, 0xC8, 0x19, 0x46],
        ] {
            #expect(policy.permits(allowed), "\(AddressPolicy.text(allowed))")
        }
        #expect(AddressPolicy(refusePrivate: false).permits([127, 0, 0, 1]))
        for refused in ["::ffff:0:10.0.0.1", "2002:a00:1::1", "192.88.99.1", "64:ff9b::a00:1"] {
            #expect(!policy.permits(AddressPolicy.bytes(of: refused) ?? []), "\(refused)")
        }
        #expect(policy.permits(AddressPolicy.bytes(of: "64:ff9b:1::808:808") ?? []))
        #expect(AddressPolicy(refusePrivate: true, allowed: ["::1"]).permits(AddressPolicy.bytes(of: "::1") ?? []))
        #expect(AddressPolicy.text(AddressPolicy.bytes(of: "::1") ?? []) == "::1")
        #expect(AddressPolicy(refusePrivate: true, allowed: ["127.0.0.2"]).permits([127, 0, 0, 2]))
        #expect(!AddressPolicy(refusePrivate: true, allowed: ["127.0.0.2"]).permits([127, 0, 0, 1]))
    }

    @Test("with private addresses allowed, link-local and metadata addresses stay refused unless a range names them")
    func guardedAddresses() throws {
        let privateToo = AddressPolicy(refusePrivate: false)
        for guarded in ["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "fe80::1", "fd00:ec2::254", "100.100.100.200", "192.0.0.192"] {
            #expect(!privateToo.permits(AddressPolicy.bytes(of: guarded) ?? []), "\(guarded)")
        }
        for allowed in ["127.0.0.1", "10.0.0.1", "192.168.1.1", "fd00::1", "::1", "8.8.8.8"] {
            #expect(privateToo.permits(AddressPolicy.bytes(of: allowed) ?? []), "\(allowed)")
        }
        let named = AddressPolicy(refusePrivate: false, allowed: ["169.254.0.0/16"])
        #expect(named.permits([169, 254, 169, 254]))
        #expect(!named.permits(AddressPolicy.bytes(of: "fe80::1") ?? []))
        let ranges = AddressPolicy(refusePrivate: true, allowed: ["10.1.0.0/16", "fd00::/8"])
        #expect(ranges.permits([10, 1, 200, 3]) && !ranges.permits([10, 2, 0, 1]))
        #expect(ranges.permits(AddressPolicy.bytes(of: "fd12::5") ?? []))
        #expect(AddressPolicy(refusePrivate: true, checked: false).permits([169, 254, 169, 254]))
    }

    @Test("CIDR ranges: parsed, masked, matched by family; bad ones refused with a reason")
    func ranges() throws {
        let range = try AddressRange(parsing: "10.1.2.3/16")
        #expect(range.description == "10.1.0.0/16")
        #expect(range.contains([10, 1, 255, 255]) && !range.contains([10, 2, 0, 0]))
        #expect(!range.contains(AddressPolicy.bytes(of: "::ffff:10.1.0.1") ?? []), "another family")
        #expect(try AddressRange(parsing: "::1").description == "::1/128")
        #expect(try AddressRange(parsing: "0.0.0.0/0").contains([8, 8, 8, 8]))
        for bad in ["10.0.0.0/33", "10.0.0/8", "example.com", "fd00::/129", "1.2.3.4/x", "1.2.3.4/8/8"] {
            #expect(throws: AddressRange.ParseError.self, "\(bad)") { _ = try AddressRange(parsing: bad) }
        }
    }

    @Test("header lines: validators, Content-Type charset, and which redirects were permanent")
    func headers() {
        var headers = ResponseHeaders()
        for line in [
            "HTTP/1.1 301 Moved Permanently\r\n", "Location: /b\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "ETag:  W/\"abc\" \r\n", "last-modified: Mon, 02 Feb 2026 10:00:00 GMT\r\n",
            "Content-Type: application/rss+xml; charset=\"ISO-8859-1\"\r\n", "\r\n",
        ] {
            var line = line
            line.withUTF8 { headers.take($0) }
        }
        #expect(headers.statuses == [301, 200])
        #expect(headers.etag == "W/\"abc\"")
        #expect(headers.lastModified == "Mon, 02 Feb 2026 10:00:00 GMT")
        #expect(headers.charset == "ISO-8859-1")
        #expect(headers.redirectsWerePermanent)

        var temporary = ResponseHeaders()
        for line in ["HTTP/1.1 301 Moved\r\n", "HTTP/1.1 302 Found\r\n", "HTTP/2 200\r\n"] {
            var line = line
            line.withUTF8 { temporary.take($0) }
        }
        #expect(temporary.statuses == [301, 302, 200])
        #expect(!temporary.redirectsWerePermanent)
    }

    @Test("only http and https URLs are accepted before anything is sent")
    func schemes() {
        #expect(Fetcher.hasHTTPScheme("http://example.com/"))
        #expect(Fetcher.hasHTTPScheme("HTTPS://example.com/"))
        for url in ["file:///etc/passwd", "gopher://example.com/", "dict://example.com/", "ftp://x/", "httpx://x", ""] {
            #expect(!Fetcher.hasHTTPScheme(url), "\(url)")
        }
    }
}
