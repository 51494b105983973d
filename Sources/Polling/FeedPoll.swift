import EntryStore
import FeedParsing
import FeedMemory
import Fetcher
import Foundation

/// One poll of one feed, end to end: the stored state makes the request conditional, the body
/// is parsed, its keys diffed against the store, the new entries handed over, then marked as
/// seen and the feed's state saved. `hubdiffer fetch` runs one; the daemon runs many.
public struct FeedPoll {
    public let fetcher: Fetcher
    public let store: EntryStore
    public var parserLimits = ParserLimits()
    /// Consecutive polls a permanent redirect (301/308) must hold on before its target
    /// replaces the listed URL (kept in `f:{feed}`).
    public var redirectsToAdopt = FeedPoll.defaultRedirectsToAdopt
    public static let defaultRedirectsToAdopt = 3
    /// The daemon's parse threads; nil: parse on the calling task (a one-shot fetch).
    public var parser: ParseWorkers?
    /// Entries handled but not yet known stored (the daemon's stand-in for sets it cannot
    /// read or write); nil: none (a one-shot fetch).
    public var unconfirmed: UnconfirmedEntries?
    /// How long the fetch may take; nil: the fetcher's timeout.
    public var fetchTimeout: Duration?
    /// Told as soon as the fetch ended, before the parse (the daemon frees the host's place).
    public var afterFetch: (@Sendable (FetchResult) async -> Void)?

    /// A poll through `fetcher` against `store`; the other settings start at their defaults.
    public init(fetcher: Fetcher, store: EntryStore) {
        self.fetcher = fetcher
        self.store = store
    }

    /// What a poll ended with.
    public enum Outcome: Sendable, Equatable {
        case notModified
        case unchanged
        /// Parsed and diffed: `entries` were new (in document order) and handed over.
        case fetched(newCount: Int, documentCount: Int)
        /// The body is not a feed (or was refused by the parser).
        case notAFeed(String)
        case gone
        case throttled(retryAfter: Duration?)
        case failed(FetchFailure)
    }

    public struct Report: Sendable {
        public var outcome: Outcome
        public var fetch: FetchResult
        /// What the store knew of the feed (``FeedHistory/unknown`` when its shard was down
        /// or the body was not diffed).
        public var history: FeedHistory = .unknown
        /// Whether the new entries went out (``run(feed:url:record:deliver:)``'s `deliver` said so).
        public var delivered = false
        /// Whether the new entries were marked as seen.
        public var marked = false
        /// The URL polled (the listed one, or the one adopted after a permanent redirect).
        public var polledURL = ""
        /// Set when this poll adopted a permanent redirect's target as the feed's URL.
        public var adoptedURL: String?
        /// RSS `<ttl>`, when the document gave one.
        public var timeToLive: Duration?
        /// Why the body was not parsed, when it was not.
        public var parseError: FeedParsingError?
        /// This poll was the feed's first: its entries were recorded as the backlog, not sent.
        public var recordedBacklog = false
        /// The feed has had its first poll: this one read a document, or an earlier one stored
        /// the validators or body hash it sent.
        public var feedKnown = false
    }

    /// Polls `feed` at `url`. `deliver` gets the new entries (and the store's history of the
    /// feed) and says whether they went out; only then are they marked. With `record` false
    /// (a dry run) nothing is written to the store.
    ///
    /// `firstPoll` true: the feed has never had a first poll, so when the store holds no set
    /// for it the document's entries are the backlog — recorded, not handed to `deliver` (held
    /// as tentative while the store cannot say whether it has a set). Otherwise an empty set
    /// sends every entry (a set lost with its shard's data: duplicates, never a loss). Entries
    /// held in ``unconfirmed`` are never handed over again; a mark that fails holds what this
    /// poll handled there, and one that lands writes them and lets go (see
    /// ``UnconfirmedEntries``).
    public func run(
        feed: Int64, url: String, record: Bool = true, firstPoll: Bool = false,
        deliver: ([Entry], FeedHistory) async -> Bool
    ) async -> Report {
        let stateRead = await store.readState(feed: feed)
        let previous: FeedState? = if case .present(let state) = stateRead { state } else { nil }
        // An unreadable state is not overwritten, and does not set the retention bound.
        let stateReadable = stateRead != .unreadable
        // A feed in no range of the map has no store at all: fail open, as ever (every entry
        // at every poll), never a first poll that records into nothing.
        let routed = store.map.route(feed) != nil
        let unconfirmed = routed ? self.unconfirmed : nil
        let firstPoll = firstPoll && routed
        var state = previous ?? FeedState()
        if state.adoptedFrom != url {
            state.adoptedURL = nil
            state.adoptedFrom = nil
        }
        let polledURL = state.adoptedURL ?? url
        let request = FetchRequest(
            url: polledURL, validators: Validators(etag: previous?.etag, lastModified: previous?.lastModified),
            bodyHash: previous?.bodyHash, timeout: fetchTimeout)
        var result = await fetcher.fetch(request)
        await afterFetch?(result)
        // Cancelled (the daemon stops): nothing is saved, sent or marked.
        if result.outcome == .failed(.cancelled) { return Report(outcome: .failed(.cancelled), fetch: result, polledURL: polledURL) }
        // The body leaves the result, which the report keeps to the end of the poll: the bytes
        // (and their charge against the daemon's body budget) go as soon as they are parsed,
        // not after the sink and the store.
        var body: FetchedBody?
        if case .changed(let fetched) = result.outcome {
            body = fetched
            result.outcome = .changed(FetchedBody(bytes: [], contentType: fetched.contentType, charset: fetched.charset))
        }
        state.lastPoll = Date()
        var adopted: String?
        // A permanent redirect counts the polls it held on; an answer from the feed's own URL
        // resets it (a failed poll says nothing either way).
        let failed = if case .failed = result.outcome { true } else { false }
        if let permanent = result.permanentURL {
            state.redirectCount = state.redirectURL == permanent ? state.redirectCount + 1 : 1
            state.redirectURL = permanent
            if state.redirectCount >= redirectsToAdopt {
                state.adoptedURL = permanent
                state.adoptedFrom = url
                state.redirectURL = nil
                state.redirectCount = 0
                adopted = permanent
            }
        } else if !failed {
            state.redirectURL = nil
            state.redirectCount = 0
        }

        var report = Report(outcome: .notModified, fetch: result, polledURL: polledURL, adoptedURL: adopted)
        switch result.outcome {
        case .notModified, .unchanged:
            // Validators and body hash are saved only after a mark landed (below).
            report.feedKnown = previous?.bodyHash != nil || previous?.etag != nil || previous?.lastModified != nil
            report.outcome = result.outcome == .notModified ? .notModified : .unchanged
            state.etag = result.validators.etag
            state.lastModified = result.validators.lastModified
            state.errorCount = 0
            if record, let held = unconfirmed?.held(feed) {
                // Nothing to diff; what is held still has to reach the set. Without the current
                // document at hand nothing is trimmed.
                let keys = held.handled.union(held.tentative).map { DocumentEntry(key: $0, date: nil) }
                if await store.mark(feed: feed, document: keys, retainedEntries: .max) { unconfirmed?.confirm(feed) }
            }
        case .changed(let announced):
            let options = ParserOptions(documentURL: result.finalURL, httpCharset: announced.charset, limits: parserLimits)
            let document: Feed
            do {
                document = try await parse(taking: &body, options: options)
            } catch .cancelled {
                report.outcome = .failed(.cancelled)
                return report
            } catch {
                report.outcome = .notAFeed("\(error)")
                report.parseError = error
                state.errorCount += 1
                if record && stateReadable { await store.save(state, feed: feed) }
                return report
            }
            report.timeToLive = document.timeToLiveMinutes.map { .seconds($0 * 60) }
            let keys = document.entries.map(\.key)
            let diff = await store.diff(feed: feed, keys: keys)
            report.history = diff.history
            // The first poll is decided once the store can say whether the feed has a set.
            report.feedKnown = diff.history != .unknown
            let held = unconfirmed?.held(feed) ?? UnconfirmedEntries.Held()
            var rule = HeldEntriesRule(firstPoll: firstPoll, held: held, history: diff.history, keys: keys)
            report.recordedBacklog = rule.recordedBacklog
            var fresh: [Entry] = []
            if !rule.recordedBacklog {
                let unseen = Set(diff.unseen)
                var handed = Set<UInt64>()
                fresh = document.entries.filter {
                    unseen.contains($0.key) && !rule.excluded.contains($0.key) && handed.insert($0.key).inserted
                }
            }
            report.outcome = .fetched(newCount: fresh.count, documentCount: document.entries.count)
            if Task.isCancelled {
                report.outcome = .failed(.cancelled)
                return report
            }
            guard await deliver(fresh, diff.history) else {
                if Task.isCancelled { report.outcome = .failed(.cancelled) }  // not the sink's refusal
                return report
            }
            report.delivered = true
            guard record else { return report }
            // With the set unread, nothing is written: the next poll that reads it decides (a
            // tentative backlog must not be recorded before that).
            if diff.history != .unknown {
                let now = Date()
                var entries = document.entries.map { DocumentEntry(key: $0.key, date: $0.date) }
                if held.count > 0 {
                    // Handled earlier and gone from the document since: stored too, so they
                    // never come back as new. (This poll's own keys are all in the document.)
                    let inDocument = Set(keys)
                    entries += rule.holding.handled.lazy.filter { !inDocument.contains($0) }.map { DocumentEntry(key: $0, date: nil) }
                }
                let peak = RetentionPeak.after(state.peak, documentEntries: document.entries.count, now: now)
                report.marked = await store.mark(
                    feed: feed, document: entries, after: diff,
                    retainedEntries: stateReadable ? peak.value(at: now) : .max, now: now)
                if report.marked { state.peak = peak }
            }
            if !report.marked && report.recordedBacklog && Task.isCancelled {
                // The backlog is held in memory only, and the process is stopping: the feed
                // must not be journalled as polled, or a restart would send the backlog.
                report.feedKnown = false
            }
            if report.marked {
                unconfirmed?.confirm(feed)
                state.etag = result.validators.etag
                state.lastModified = result.validators.lastModified
                state.bodyHash = result.bodyHash
            } else {
                // Not stored: held in memory so the next poll neither sends them again nor
                // takes the feed for new. Without validators or body hash its next fetch is not
                // conditional and it marks again (when this state cannot be saved either, the
                // next 304 or unchanged body writes what is held, above).
                rule.holding.handled.formUnion(fresh.lazy.map(\.key))
                if unconfirmed?.replace(feed, with: rule.holding) == false && report.recordedBacklog {
                    // No room to hold a first poll's backlog: the feed counts as polled, so its
                    // next polls send rather than record (fail open: the backlog may go out).
                    report.feedKnown = true
                }
                state.etag = nil
                state.lastModified = nil
                state.bodyHash = nil
            }
            state.errorCount = 0
        case .gone:
            report.outcome = .gone
            state.errorCount += 1
        case .throttled(let delay):
            report.outcome = .throttled(retryAfter: delay)
            state.errorCount += 1
        case .failed(let failure):
            report.outcome = .failed(failure)
            state.errorCount += 1
        }
        if record && stateReadable { await store.save(state, feed: feed) }
        return report
    }
}

extension FeedPoll {
    /// Parses the fetched body, then lets it go: its bytes, and with them its charge against the
    /// daemon's body budget, are released when this returns, before the diff and the sink. On
    /// the daemon's ``ParseWorkers``, the parse's own working memory is charged to the same
    /// budget while it runs.
    fileprivate func parse(taking body: inout FetchedBody?, options: ParserOptions) async throws(FeedParsingError) -> Feed {
        defer { body = nil }
        let bytes = body?.bytes ?? []
        if let parser { return try await parser.parse(bytes, options: options) }
        return try FeedParser.parse(bytes, options: options)
    }
}
