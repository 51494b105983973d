import Testing

@testable import Fetcher

/// HTTP dates as the fetcher reads them (Retry-After), without the feed parser.
@Suite("HTTP dates")
struct HTTPDateTests {
    static let now: Int64 = 784_111_777  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test("IMF-fixdate, RFC 850 and asctime name the same instant")
    func threeForms() {
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(HTTPDate.parse(text, now: Self.now) == Self.now, "\(text)")
        }
        #expect(HTTPDate.parse("sun, 6 NOV 1994 08:49:37 gmt", now: Self.now) == Self.now)
        #expect(HTTPDate.parse("Tue, 29 Feb 2028 23:59:60 GMT", now: Self.now) == 1_835_481_599)
    }

    @Test("a two-digit year more than 50 years ahead is read in the century before")
    func twoDigitYears() {
        let in2030: Int64 = 1_893_456_000  // 1 Jan 2030
        #expect(HTTPDate.parse("Thursday, 01-Jan-81 00:00:00 GMT", now: in2030) == 347_155_200)  // 1981, not 2081
        #expect(HTTPDate.parse("Tuesday, 01-Jan-70 00:00:00 GMT", now: in2030) == 3_155_760_000)  // 2070
        #expect(HTTPDate.parse("Saturday, 01-Jan-00 00:00:00 GMT", now: in2030) == 946_684_800)  // 2000
        #expect(HTTPDate.parse("Friday, 01-Jan-44 00:00:00 GMT", now: Self.now) == 2_335_219_200)  // 2044: 50 years ahead
        #expect(HTTPDate.parse("Saturday, 01-Jan-50 00:00:00 GMT", now: Self.now) == -631_152_000)  // 1950
    }

    @Test("anything else is not a date")
    func refusals() {
        for text in [
            "", "soon", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 +0100", "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nvb 1994 08:49:37 GMT", "Sunday, 06-Nov-1994-1 08:49:37 GMT",
            "Sun Nov 6 08:49:37", "Sun, 06 Nov 994 08:49:37 GMT",
        ] {
            #expect(HTTPDate.parse(text, now: Self.now) == nil, "\(text)")
        }
    }
}
