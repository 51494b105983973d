import EntryStore
import FeedParsing
import Fetcher
import Synchronization

/// What a poll needs from the daemon. Replaced as a whole when SIGHUP brings a new shard map;
/// polls in flight finish with the one they started with.
struct PollEnvironment: Sendable {
    let fetcher: Fetcher
    let store: EntryStore
    let sink: any EntrySink
    let firstPoll: DaemonConfiguration.FirstPoll
    let parseGate: StageGate
    /// Polls waiting for the sink.
    let sinkWaiting: Atomic<Int>.Box
    /// Entries the sink took (also `hubdiffer_new_entries_total`).
    let entriesSent: Atomic<Int>.Box
    let metrics: DaemonMetrics
}

extension Atomic where Value == Int {
    /// A shared atomic counter (an `Atomic` cannot be copied, so it is shared by reference).
    final class Box: Sendable {
        let value = Atomic<Int>(0)
    }
}

/// One poll run by the daemon: ``FeedPoll`` with the daemon's first-poll rule and sink.
enum DaemonPoll {
    /// Polls `feed`. `firstInProcess`: this process has not recorded the feed before (so a
    /// feed the store does not know is taken for a first poll; one it lost while this process
    /// ran is not, and its entries are sent: a duplicate rather than a loss).
    static func run(feed: Int64, url: String, firstInProcess: Bool, environment: PollEnvironment) async -> FeedPoll.Report {
        var poll = FeedPoll(fetcher: environment.fetcher, store: environment.store)
        poll.parseGate = environment.parseGate
        let sink = environment.sink
        let recordFirst = firstInProcess && environment.firstPoll == .record
        let waiting = environment.sinkWaiting
        return await poll.run(feed: feed, url: url) { entries, history in
            if entries.isEmpty { return true }
            if recordFirst && (history == .new || history == .afterDataLoss) { return true }
            let batch = SinkBatch(feed: feed, entries: entries.map { FeedJSON.entry($0, feedID: feed) })
            waiting.value.add(1, ordering: .relaxed)
            let delivered = await sink.deliver(batch)
            waiting.value.subtract(1, ordering: .relaxed)
            if delivered {
                environment.entriesSent.value.add(entries.count, ordering: .relaxed)
                environment.metrics.newEntries.increment(by: entries.count)
            }
            return delivered
        }
    }
}
