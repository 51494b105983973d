import FeedMemory
import Metrics
import MetricsTestKit
import Testing

@Suite("UnconfirmedEntries")
struct UnconfirmedEntriesTests {
    typealias Held = UnconfirmedEntries.Held

    @Test("what is held per feed replaces what was, within the limits; overflows are counted")
    func holdAndConfirm() throws {
        let metrics = TestMetrics()
        let entries = UnconfirmedEntries(limit: 6, feedLimit: 4, metrics: metrics)
        #expect(entries.replace(1, with: Held(handled: [1, 2], tentative: [3])))
        #expect(entries.replace(1, with: Held(handled: [1, 2, 3, 4])))
        #expect(entries.held(1) == Held(handled: [1, 2, 3, 4]))
        #expect(entries.usage.keys == 4)
        #expect(!entries.replace(1, with: Held(handled: [1, 2, 3, 4, 5])), "over the feed limit")
        #expect(!entries.replace(2, with: Held(handled: [7, 8, 9])), "over the limit")
        #expect(entries.held(1) == Held(handled: [1, 2, 3, 4]), "what was held stays")
        #expect(entries.held(2) == nil)
        #expect(try metrics.expectCounter("hubdiffer_unconfirmed_overflows_total").totalValue == 2)
        #expect(entries.replace(2, with: Held(tentative: [9, 10])))
        entries.confirm(1)
        #expect(entries.held(1) == nil)
        #expect(entries.usage.keys == 2 && entries.usage.feeds == 1)
        #expect(entries.replace(2, with: Held()), "an empty hold releases the feed")
        #expect(entries.usage.keys == 0 && entries.usage.feeds == 0)
    }
}
