@testable import FeedParsing
import Testing

/// The fixed-position reading of the two common date shapes must give what the general
/// scanners give, and must leave every other string to them.
@Suite("Canonical date shapes")
struct CanonicalDateTests {
    /// (canonical reading, general reading) of `text`, trimmed as `FeedDate.parse` trims.
    static func readings(_ text: String) -> (canonical: Int??, general: Int?) {
        var text = text
        return text.withUTF8 { bytes in
            var cursor = ByteCursor(bytes)
            cursor.trimWhitespace()
            let canonical = CanonicalDateScanner.scan(cursor).map { $0.unixSeconds() }
            return (canonical, FeedDate.scannedUnixSeconds(cursor))
        }
    }

    /// Every field at and past its bounds, in both shapes, with every accepted zone form
    /// and near misses of them.
    static let samples: [String] = {
        var samples: [String] = []
        let times = ["00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "7:05:09", "12:00"]
        let days = ["01", "28", "29", "30", "31", "00", "32", "1"]
        for (weekday, month, year) in [("Wed", "Mar", "2023"), ("thu", "FEB", "2024"), ("Sun", "Feb", "2023"), ("Mon", "Dec", "9999"), ("Fri", "Jan", "0001"), ("Xyz", "Jan", "2023"), ("Tue", "Foo", "2023"), ("Sat", "Sep", "0000")] {
            for day in days {
                for time in times {
                    for zone in ["GMT", "UTC", "UT", "gmt", "Ut", "Z", "EST", "+0000", "-0000", "+0530", "-2359", "+2400", "+0060", "+05:30", "GMX"] {
                        samples.append("\(weekday), \(day) \(month) \(year) \(time) \(zone)")
                    }
                }
            }
        }
        for (year, month) in [("2023", "03"), ("2024", "02"), ("2023", "02"), ("9999", "12"), ("0001", "01"), ("2023", "13"), ("2023", "00"), ("0000", "01")] {
            for day in days {
                for time in times {
                    for zone in ["Z", "z", "+00:00", "-00:00", "+05:30", "-23:59", "+24:00", "+00:60", "+0530", "+05", " Z", ""] {
                        samples.append("\(year)-\(month)-\(day)T\(time)\(zone)")
                        samples.append("\(year)-\(month)-\(day)t\(time)\(zone)")
                    }
                }
            }
        }
        samples += ["  Wed, 01 Mar 2023 16:18:35 GMT\n", "Wed,  1 Mar 2023 16:18:35 GMT", "Wed, 01 Mar 2023 16:18:35 GMT (UTC)", "2023-03-01T16:18:35.123Z", "2023-03-01 16:18:35Z", "Wed 01 Mar 2023 16:18:35 GMTx"]
        return samples
    }()

    @Test("where the canonical reading answers, it answers as the general scanners do")
    func agreesWithTheGeneralScanners() {
        var read = 0
        for sample in Self.samples {
            let (canonical, general) = Self.readings(sample)
            // A shape it reads but a date it refuses (30 February) goes to the general scanners.
            guard let canonical, let seconds = canonical else { continue }
            read += 1
            #expect(seconds == general, "\(sample)")
        }
        #expect(read > 500)  // 557: the shapes are read, not all left to the general path
    }

    @Test("the common shapes are read at fixed positions, the others are left alone")
    func shapes() {
        #expect(Self.readings("Wed, 01 Mar 2023 16:18:35 GMT").canonical == .some(1_677_687_515))
        #expect(Self.readings("Wed, 01 Mar 2023 17:18:35 +0100").canonical == .some(1_677_687_515))
        #expect(Self.readings("2023-03-01T16:18:35Z").canonical == .some(1_677_687_515))
        #expect(Self.readings("2023-03-01T11:18:35-05:00").canonical == .some(1_677_687_515))
        for other in ["Wed, 1 Mar 2023 16:18:35 GMT", "Wed, 01 Mar 2023 16:18:35 EST", "2023-03-01T16:18:35.5Z",
            "Wed, 01 Mar 2023 24:00:00 GMT", "2023-03-01T16:18:60Z", "2023-03-01T16:18:35+24:00"]
        {
            #expect(Self.readings(other).canonical == nil, "\(other)")
        }
        // What the canonical reading leaves is still a date to FeedDate.
        #expect(FeedDate.parse("Wed, 1 Mar 2023 16:18:35 GMT").map(FeedDate.format) == "2023-03-01T16:18:35Z")
    }
}
