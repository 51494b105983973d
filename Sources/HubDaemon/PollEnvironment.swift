import Polling
import Delivery
import EntryStore
import FeedMemory
import FeedParsing
import Fetcher
import Synchronization

/// What a poll needs from the daemon. Replaced as a whole when SIGHUP brings a new shard map;
/// polls in flight finish with the one they started with.
public struct PollEnvironment: Sendable {
    public let fetcher: Fetcher
    public let store: EntryStore
    public let sink: any EntrySink
    public let firstPoll: DaemonConfiguration.FirstPoll
    public let parser: ParseWorkers
    /// Polls waiting for the sink.
    public let sinkWaiting: Atomic<Int>.Box
    /// Entries the sink took (also `hubdiffer_new_entries_total`).
    public let entriesSent: Atomic<Int>.Box
    public let metrics: DaemonMetrics
    /// Which feeds had their first poll (durable, in the state directory).
    public let journal: FirstPollJournal
    /// Entries handled but not yet stored (the stand-in for sets out of reach).
    public let unconfirmed: UnconfirmedEntries
    /// How long one document may take to parse.
    public let parseBudget: Duration
    /// Whether the sink takes what it is given.
    public let sinkHealth: SinkHealth
}

extension Atomic where Value == Int {
    /// A shared atomic counter (an `Atomic` cannot be copied, so it is shared by reference).
    public final class Box: Sendable {
        public let value = Atomic<Int>(0)
    }
}

/// One poll run by the daemon: ``FeedPoll`` with the daemon's first-poll rule, its memory of
/// entries not yet stored, and its sink.
public enum DaemonPoll {
    /// Polls `feed`; its fetch may take `timeout`, and `afterFetch` hears when it ended. Its first poll (a feed not in the journal) records the backlog unless the
    /// daemon runs with `--first-poll emit`; a feed in the journal whose set is missing had it
    /// lost, and its entries are sent (a duplicate rather than a loss).
    public static func run(
        feed: Int64, url: String, timeout: Duration, environment: PollEnvironment,
        afterFetch: @escaping @Sendable (FetchResult) async -> Void
    ) async -> FeedPoll.Report {
        var poll = FeedPoll(fetcher: environment.fetcher, store: environment.store)
        poll.fetchTimeout = timeout
        poll.afterFetch = afterFetch
        poll.parser = environment.parser
        poll.parserLimits.timeBudget = environment.parseBudget
        poll.unconfirmed = environment.unconfirmed
        let sink = environment.sink
        let firstPoll = environment.firstPoll == .record && !environment.journal.contains(feed)
        let waiting = environment.sinkWaiting
        return await poll.run(feed: feed, url: url, firstPoll: firstPoll) { entries, _ in
            if entries.isEmpty { return true }
            let batch = SinkBatch(feed: feed, entries: entries)
            waiting.value.add(1, ordering: .relaxed)
            let delivered = await sink.deliver(batch)
            waiting.value.subtract(1, ordering: .relaxed)
            if delivered {
                environment.entriesSent.value.add(entries.count, ordering: .relaxed)
                environment.metrics.newEntries.increment(by: entries.count)
                environment.sinkHealth.taken()
            } else if !Task.isCancelled {  // a stopping poll's false is no refusal of the sink
                environment.sinkHealth.refused()
            }
            return delivered
        }
    }
}
