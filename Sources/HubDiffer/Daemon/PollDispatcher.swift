import EntryStore
import Fetcher
import Foundation
import Logging
import Scheduler

/// The daemon's loop: takes due feeds from the ``PollScheduler`` (at most `concurrency` in
/// flight), runs each poll as a task of its own, and feeds the outcome back so the scheduler
/// sets the next due time. Publishers' pings and reloads reach it here.
actor PollDispatcher {
    private var scheduler: PollScheduler
    private var environment: PollEnvironment
    private let concurrency: Int
    private let metrics: DaemonMetrics
    private let logger: Logger
    private var inFlight = 0
    /// Feeds by the hash of their listed URL, for pings by `hub.url`; the scheduler keeps the
    /// URL itself (one copy per feed, not two), and a hit is checked against it.
    private var feedByURLHash: [Int: Int64] = [:]
    /// Feeds by the URL they adopted after a permanent redirect (few).
    private var feedByAdoptedURL: [String: Int64] = [:]
    private var wake: CheckedContinuation<Void, Never>?
    /// The one sleeping timer and its deadline. It is re-armed only for an earlier deadline
    /// (not on every wake-up: at 1,667 polls/s that made and cancelled a task per poll); a
    /// timer that fires late or early only costs one extra turn of the loop.
    private var timer: Task<Void, Never>?
    private var timerDeadline: ContinuousClock.Instant?
    private var stopping = false
    /// The held-entry count last given to the metrics (they are recorded when it changes).
    private var unconfirmedKeysRecorded = 0
    private var drained: CheckedContinuation<Void, Never>?
    private(set) var pollsDone = 0
    /// When the last poll ended (for `/health`); nil before the first.
    private(set) var lastPollEnded: ContinuousClock.Instant?
    /// When the loop last ran (for the watchdog and `/health`).
    private(set) var lastTurn = ContinuousClock.now

    init(scheduler: PollScheduler, environment: PollEnvironment, concurrency: Int, metrics: DaemonMetrics, logger: Logger) {
        self.scheduler = scheduler
        self.environment = environment
        self.concurrency = concurrency
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: - Feeds and reloads

    /// Brings the schedule in line with the feeds file (new feeds spread over their first
    /// interval; removed ones dropped; due times of the others kept).
    func load(_ feeds: [ScheduledFeed]) -> SyncSummary {
        let summary = scheduler.sync(with: feeds, now: .now)
        feedByURLHash = Dictionary(feeds.lazy.map { ($0.url.hashValue, $0.id) }, uniquingKeysWith: { first, _ in first })
        metrics.feeds.record(scheduler.count)
        wakeUp()
        return summary
    }

    /// Polls from now on use `environment` (a new shard map); those in flight keep theirs.
    func replace(_ environment: PollEnvironment) {
        self.environment = environment
    }

    var feedCount: Int { scheduler.count }
    var inFlightCount: Int { inFlight }

    // MARK: - Pings

    enum PingTarget: Sendable {
        case feed(Int64)
        case url(String)
    }

    /// A publisher's ping: the feed is polled now (or right after the poll under way).
    func ping(_ target: PingTarget) -> PingResult {
        let feed: Int64
        switch target {
        case .feed(let id): feed = id
        case .url(let url):
            if let id = feedByURLHash[url.hashValue], scheduler.url(of: id) == url {
                feed = id
            } else if let id = feedByAdoptedURL[url] {
                feed = id
            } else {
                return .unknownFeed
            }
        }
        let result = scheduler.pollSoon(feed: feed, now: .now)
        if case .scheduled = result { wakeUp() }
        return result
    }

    // MARK: - The loop

    /// Runs until ``stop(deadline:)``: then returns once the polls in flight are done, or at
    /// the deadline (polls still running are abandoned: unmarked, so sent again later).
    func run() async {
        while !stopping {
            let now = ContinuousClock.now
            lastTurn = now
            if inFlight < concurrency {
                for poll in scheduler.popDue(now: now, limit: concurrency - inFlight) { start(poll, now: now) }
            }
            // With a free place, nothing more is due before `nextDue`; with none, a poll's end
            // wakes the loop.
            await pause(until: inFlight < concurrency ? scheduler.nextDue : nil)
        }
    }

    /// Stops taking due feeds; ``run()`` returns when the polls in flight end or at `deadline`.
    func stop(deadline: ContinuousClock.Instant) async {
        stopping = true
        wakeUp()
        guard inFlight > 0 else { return }
        let timeout = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            await self?.releaseDrain()
        }
        await withCheckedContinuation { drained = $0 }
        timeout.cancel()
    }

    private func releaseDrain() {
        drained?.resume()
        drained = nil
    }

    private func start(_ poll: DuePoll, now: ContinuousClock.Instant) {
        inFlight += 1
        metrics.inFlight.record(inFlight)
        metrics.schedulerLag.recordNanoseconds(max(0, (now - poll.due).inNanoseconds))
        let environment = self.environment
        Task {
            let report = await DaemonPoll.run(feed: poll.feed, url: poll.url, environment: environment)
            self.finished(poll, report)
        }
    }

    private func finished(_ poll: DuePoll, _ report: FeedPoll.Report) {
        inFlight -= 1
        pollsDone += 1
        lastPollEnded = .now
        metrics.inFlight.record(inFlight)
        metrics.fetchDuration.recordNanoseconds(report.fetch.duration.inNanoseconds)
        metrics.parseQueue.record(environment.parser.queueDepth)
        metrics.sinkWaiting.record(environment.sinkWaiting.value.load(ordering: .relaxed))
        let (verdict, label) = Self.verdict(report)
        metrics.countPoll(label)
        if report.feedKnown { environment.journal.insert(poll.feed) }
        let unconfirmed = environment.unconfirmed.usage
        if unconfirmed.keys != unconfirmedKeysRecorded {
            unconfirmedKeysRecorded = unconfirmed.keys
            metrics.recordUnconfirmed(unconfirmed)
        }
        let hints = PollHints(ttl: report.timeToLive, maxAge: report.fetch.maxAge)
        let completion = scheduler.complete(feed: poll.feed, verdict: verdict, hints: hints, now: .now)
        log(poll, report, label: label, completion: completion)
        if let adopted = report.adoptedURL { feedByAdoptedURL[adopted] = poll.feed }
        metrics.gone.record(scheduler.goneCount)
        if stopping, inFlight == 0 { releaseDrain() }
        wakeUp()
    }

    private func log(_ poll: DuePoll, _ report: FeedPoll.Report, label: String, completion: Completion) {
        var metadata: Logger.Metadata = ["feed": "\(poll.feed)", "outcome": "\(label)"]
        if let shard = environment.store.map.route(poll.feed)?.endpoint.redactedURL { metadata["shard"] = "\(shard)" }
        switch report.outcome {
        case .gone:
            logger.notice("410 Gone: the feed is no longer polled", metadata: metadata.merging(["url": "\(report.polledURL)"]) { $1 })
        case .notAFeed(let why):
            logger.info("not a feed: \(why)", metadata: metadata)
        case .failed(let failure):
            logger.info("poll failed: \(failure)", metadata: metadata)
        case .fetched(let newCount, _) where newCount > 0 && !report.delivered:
            logger.warning("the sink did not take \(newCount) new entries: they stay unmarked and go out at the next poll", metadata: metadata)
        case .fetched(let newCount, _) where report.history != .known && !report.recordedBacklog && report.delivered:
            let why = report.history == .unknown ? "the shard cannot be read" : "the feed's set is missing (its shard lost data?)"
            logger.debug("\(why): sent \(newCount) entries not sent before", metadata: metadata)
        default:
            logger.debug("polled", metadata: metadata)
        }
        if let adopted = report.adoptedURL {
            logger.notice(
                "permanent redirect held on \(FeedPoll.defaultRedirectsToAdopt) polls: polling \(adopted) from now on",
                metadata: metadata)
        }
    }

    /// What the scheduler is told, and the `outcome` label of `hubdiffer_polls_total`.
    static func verdict(_ report: FeedPoll.Report) -> (PollVerdict, String) {
        switch report.outcome {
        case .notModified: return (.notModified, "not_modified")
        case .unchanged: return (.unchanged, "unchanged")
        case .fetched(let newCount, _):
            if newCount > 0 && !report.delivered { return (.failed, "sink_failed") }
            if report.recordedBacklog { return (.unchanged, "first_poll") }
            // What was new could not be told: the interval stays.
            if report.history == .unknown { return (.undetermined, "store_unavailable") }
            return newCount > 0 ? (.changed(newEntries: newCount), "changed") : (.unchanged, "unchanged")
        case .notAFeed:
            switch report.parseError {
            case .timeBudgetExceeded: return (.failed, "parse_timeout")
            case let error? where error.isHostile: return (.failed, "hostile_document")
            default: return (.failed, "not_a_feed")
            }
        case .gone: return (.gone, "gone")
        case .throttled(let delay): return (.throttled(retryAfter: delay), "throttled")
        case .failed(let failure): return (.failed, Self.label(failure))
        }
    }

    static func label(_ failure: FetchFailure) -> String {
        switch failure {
        case .refusedScheme: "error_refused_scheme"
        case .refusedAddress: "error_refused_address"
        case .bodyTooLarge: "error_too_large"
        case .tooManyRedirects: "error_redirects"
        case .timeout: "error_timeout"
        case .http: "error_http"
        case .badURL: "error_bad_url"
        case .headerTooLarge: "error_header_too_large"
        case .network: "error_network"
        }
    }

    // MARK: - Waiting

    private func pause(until deadline: ContinuousClock.Instant?) async {
        await withCheckedContinuation { continuation in
            wake = continuation
            guard let deadline, timerDeadline.map({ deadline < $0 }) ?? true else { return }
            timer?.cancel()
            timerDeadline = deadline
            timer = Task { [weak self] in
                try? await Task.sleep(until: deadline, tolerance: .milliseconds(2), clock: .continuous)
                await self?.timerFired(deadline)
            }
        }
    }

    private func timerFired(_ deadline: ContinuousClock.Instant) {
        guard timerDeadline == deadline else { return }
        timer = nil
        timerDeadline = nil
        wakeUp()
    }

    private func wakeUp() {
        wake?.resume()
        wake = nil
    }
}

extension PollDispatcher {
    /// Whether the loop turned recently: it turns at least when a poll ends or one is due, so
    /// a loop silent for over a minute while polls are in flight or due is stuck.
    func isTurning() -> Bool {
        let quiet = ContinuousClock.now - lastTurn
        return quiet < .seconds(60) || inFlightCount == 0 && (scheduler.nextDue.map { $0 > .now } ?? true)
    }
}
