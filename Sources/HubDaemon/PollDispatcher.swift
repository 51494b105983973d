import Polling
import DaemonKit
import EntryStore
import FeedMemory
import Fetcher
import Foundation
import Logging
import Scheduler
import ServiceLifecycle

/// The daemon's loop: takes due feeds from the ``PollScheduler`` (at most `concurrency` in
/// flight), runs each poll as a task of its own, and feeds the outcome back so the scheduler
/// sets the next due time. Publishers' pings and reloads reach it here.
///
/// Two things hold polls back without holding an in-flight place: their host (``HostLanes``:
/// a few polls per host at once, the rest wait at most half the fetch timeout, then end as
/// `host_busy`; a host that keeps timing out is backed off, `host_backoff`), and the budget for
/// bodies in flight (no poll starts while it is spent).
///
/// A ``Service``: ``run()`` owns every poll as a child task of one task group. A graceful
/// shutdown stops taking due feeds; the polls in flight get the stop grace to end, and are
/// then cancelled (their fetch leaves libcurl, store calls and the parse line let go, the sink
/// answers false: nothing is marked that was not delivered).
public actor PollDispatcher: Service {
    var scheduler: PollScheduler
    var environment: PollEnvironment
    private let concurrency: Int
    private var lanes: HostLanes<DuePoll>
    /// Whether the loop waits for room in the body budget.
    private var waitingForBudget = false
    /// Polls that hold their host's place (from their start to the end of their fetch).
    private var holdingHost: Set<Int64> = []
    /// Polls started this turn, handed to the task group at its end.
    private var starting: [Start] = []
    /// When the turn's gauges were last recorded.
    private var gaugesRecorded = ContinuousClock.now - .seconds(60)
    /// Budget pauses of transfers already counted in the metrics.
    private var budgetPausesCounted = 0
    let metrics: DaemonMetrics
    let logger: Logger
    var inFlight = 0
    /// Feeds by the hash of their listed URL, for pings by `hub.url`; the scheduler keeps the
    /// URL itself (one copy per feed, not two), and a hit is checked against it.
    var feedByURLHash: [Int: Int64] = [:]
    /// Feeds by the URL they adopted after a permanent redirect (few).
    var feedByAdoptedURL: [String: Int64] = [:]
    /// Where run-time feed changes are made durable.
    let changeJournal: FeedChangeJournal
    /// Changes made since a reload began (nil: no reload under way).
    var changesDuringReload: [FeedChange]?
    /// Why each feed failing now last failed (only feeds with errors: few).
    var lastErrors: [Int64: String] = [:]
    /// The outcome labels as the scheduler's one-byte codes.
    var outcomeCodes = OutcomeCodes()
    var wake: CheckedContinuation<Void, Never>?
    /// The one sleeping timer and its deadline. It is re-armed only for an earlier deadline
    /// (not on every wake-up: at 1,667 polls/s that made and cancelled a task per poll); a
    /// timer that fires late or early only costs one extra turn of the loop.
    var timer: Task<Void, Never>?
    var timerDeadline: ContinuousClock.Instant?
    private var stopping = false
    /// When the polls still in flight at a stop are cancelled.
    private var stopDeadline: ContinuousClock.Instant?
    /// How long polls in flight may take after a stop was asked for.
    private let stopGrace: Duration
    /// The held-entry count last given to the metrics (they are recorded when it changes).
    private var unconfirmedKeysRecorded = 0
    private(set) var pollsDone = 0
    /// When the last poll ended (for `/health`); nil before the first.
    private(set) var lastPollEnded: ContinuousClock.Instant?
    /// When the loop last ran (for the watchdog and `/health`).
    private(set) var lastTurn = ContinuousClock.now

    public init(
        scheduler: PollScheduler, environment: PollEnvironment, changeJournal: FeedChangeJournal, concurrency: Int,
        stopGrace: Duration, metrics: DaemonMetrics, logger: Logger
    ) {
        self.changeJournal = changeJournal
        self.stopGrace = stopGrace
        self.scheduler = scheduler
        self.environment = environment
        self.concurrency = concurrency
        self.metrics = metrics
        self.logger = logger
        lanes = HostLanes(settings: Self.laneSettings(fetcher: environment.fetcher.options, concurrency: concurrency))
    }

    /// A host gets at most an eighth of the in-flight places: a host that hangs, each of its
    /// polls holding a place for the whole fetch timeout, leaves seven eighths to the others.
    /// Within that, four polls per connection the fetcher opens to a host (6): a poll holds
    /// its place from its start, and first reads the feed's state from Redis, so six places
    /// would leave the connections idle while polls wait on Redis (100,000 feeds on one host
    /// fell from 1,667 polls/s to 91). With the defaults: 24 places per host, of 256. A poll
    /// waits for its host at most half the fetch timeout, so that it still has half to fetch.
    public static func laneSettings(fetcher: FetcherOptions, concurrency: Int) -> HostLanes<DuePoll>.Settings {
        HostLanes.Settings(
            perHost: min(4 * fetcher.connectionsPerHost, max(1, concurrency / 8)), maximumWait: fetcher.totalTimeout / 2)
    }

    // MARK: - The loop

    /// Runs until a graceful shutdown: then returns once the polls in
    /// flight are done, or at the stop grace, when those still running are cancelled (their
    /// entries unmarked, so sent again later). Cancelling the task cancels every poll at once.
    public func run() async {
        // The graceful shutdown's handler runs outside the actor: it asks through a stream.
        let (stopRequested, requests) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                let (released, release) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                environment.fetcher.budget?.onRelease { release.yield() }
                group.addTask { [weak self] in
                    for await _ in released { await self?.budgetReleased() }
                }
                group.addTask { [weak self, stopRequested] in
                    for await _ in stopRequested {
                        await self?.beginStop()
                        return
                    }
                }
                await turn(group: &group)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            requests.yield()
        }
        timer?.cancel()
        timer = nil
    }

    private func beginStop() {
        guard !stopping else { return }
        stopping = true
        stopDeadline = .now + stopGrace
        wakeUp()
    }

    /// The loop: takes due polls (each a child task of `group`) until a stop, then waits for
    /// those in flight until the stop deadline.
    private func turn(group: inout DiscardingTaskGroup) async {
        while !stopping {
            let now = ContinuousClock.now
            lastTurn = now
            for expired in lanes.expired(now: now) {
                endUnfetched(expired.waiter, label: "host_busy", verdict: .deferred(retryAfter: .zero), waited: expired.waited)
            }
            let wasWaitingForBudget = waitingForBudget
            waitingForBudget = false
            takeDue(now: now)
            if waitingForBudget && !wasWaitingForBudget { metrics.countBudgetWait(stage: "poll_start") }
            recordTurnMetrics(now: now)
            // With a free place (and budget), nothing more is due before `nextDue`; with none, a
            // poll's end (or a release of budget) wakes the loop; a poll waiting for its host
            // expires at `nextExpiry`.
            let nextDue = inFlight < concurrency && !waitingForBudget ? scheduler.nextDue : nil
            let expiry = lanes.nextExpiry()
            for start in starting { group.addTask { await self.poll(start) } }
            starting.removeAll(keepingCapacity: true)
            await pause(until: [nextDue, expiry].compactMap { $0 }.min())
            if Task.isCancelled { return }
        }
        if inFlight > 0 {
            logger.notice("stopping: \(inFlight) polls in flight get \(stopGrace.components.seconds) s")
        }
        while inFlight > 0, let deadline = stopDeadline, ContinuousClock.now < deadline, !Task.isCancelled {
            await pause(until: deadline)
        }
        if inFlight > 0 {
            logger.notice("stop grace over: cancelling \(inFlight) polls in flight (their entries stay unmarked)")
        }
    }

    /// Takes what is due while places (and budget for bodies) are free: each poll starts,
    /// waits for its host, or ends at once when its host is backed off.
    private func takeDue(now: ContinuousClock.Instant) {
        while inFlight < concurrency {
            var room = concurrency - inFlight
            if let budget = environment.fetcher.budget {
                room = min(room, budget.pollsThatFit(inFlight: inFlight))
                if room == 0 {
                    guard scheduler.nextDue.map({ $0 <= now }) ?? false else { return }
                    waitingForBudget = true
                    return
                }
            }
            // Polls that waited for their host come first: they were due before.
            let ready = lanes.takeReady(limit: room, now: now)
            for waiter in ready {
                let host = Fetcher.hostKey(of: waiter.waiter.url)
                guard scheduler.url(of: waiter.waiter.feed) != nil else {  // removed by a reload meanwhile
                    _ = lanes.finished(host: host, started: now, timedOut: false, responded: false, now: now)
                    continue
                }
                start(waiter.waiter, host: host, now: now, waited: waiter.waited)
            }
            if !ready.isEmpty { continue }
            let due = scheduler.popDue(now: now, limit: room)
            if due.isEmpty { return }
            for poll in due {
                metrics.schedulerLag.recordNanoseconds(max(0, (now - poll.due).inNanoseconds))
                let host = Fetcher.hostKey(of: poll.url)
                switch lanes.admit(poll, host: host, now: now) {
                case .start: start(poll, host: host, now: now, waited: .zero)
                case .wait: break
                case .backedOff(let until):
                    endUnfetched(poll, label: "host_backoff", verdict: .deferred(retryAfter: until - now), waited: nil)
                }
            }
        }
    }

    /// The gauges that change without a poll ending: read each turn, at most once a second.
    private func recordTurnMetrics(now: ContinuousClock.Instant) {
        guard now - gaugesRecorded >= .seconds(1) else { return }
        gaugesRecorded = now
        metrics.hostWaiting.record(lanes.waitingCount)
        metrics.hostsBackedOff.record(lanes.backedOffCount(now: now))
        if let budget = environment.fetcher.budget { metrics.bodyBudgetUsed.record(budget.used) }
    }

    private func budgetReleased() {
        if waitingForBudget { wakeUp() }
    }

    /// Starts a poll that has its host's place; `waited` for it, which its fetch deadline loses.
    /// The place is given back when the fetch ends (``fetchEnded(_:host:_:started:)``), before the
    /// parse and the store.
    private func start(_ poll: DuePoll, host: String, now: ContinuousClock.Instant, waited: Duration) {
        inFlight += 1
        holdingHost.insert(poll.feed)
        metrics.inFlight.record(inFlight)
        if waited > .zero { metrics.hostWait.recordNanoseconds(waited.inNanoseconds) }
        let environment = self.environment
        // What the wait took comes off the deadline, never more than half of it (the wait is
        // bounded by half, and a late loop turn must not leave a fetch no time at all).
        let total = environment.fetcher.options.totalTimeout
        starting.append(Start(poll: poll, host: host, started: now, timeout: max(total / 2, total - waited), environment: environment))
    }

    /// A poll about to start, for the loop to hand to its task group.
    private struct Start: Sendable {
        let poll: DuePoll
        let host: String
        let started: ContinuousClock.Instant
        let timeout: Duration
        let environment: PollEnvironment
    }

    /// One poll, as a child task of the loop's group.
    private nonisolated func poll(_ start: Start) async {
        let report = await DaemonPoll.run(feed: start.poll.feed, url: start.poll.url, timeout: start.timeout, environment: start.environment) {
            fetched in await self.fetchEnded(start.poll, host: start.host, fetched, started: start.started)
        }
        await finished(start.poll, host: start.host, report, started: start.started)
    }

    /// Ends a poll that never fetched (its host busy or backed off): the scheduler hears
    /// `verdict`, the metrics `label`.
    private func endUnfetched(_ poll: DuePoll, label: String, verdict: PollVerdict, waited: Duration?) {
        if let waited { metrics.hostWait.recordNanoseconds(waited.inNanoseconds) }
        metrics.countPoll(label)
        let completion = scheduler.complete(feed: poll.feed, verdict: verdict, now: .now)
        if !completion.wasIgnored {
            scheduler.notePoll(feed: poll.feed, outcome: outcomeCodes.code(label), at: Self.wallClockSeconds(), newEntries: false)
        }
        logger.debug(
            "\(label == "host_busy" ? "its host was busy for the whole wait" : "its host is backed off"): not polled",
            metadata: ["feed": "\(poll.feed)", "outcome": "\(label)", "host": "\(Fetcher.hostKey(of: poll.url))"])
    }

    private func finished(_ poll: DuePoll, host: String, _ report: FeedPoll.Report, started: ContinuousClock.Instant) {
        inFlight -= 1
        pollsDone += 1
        fetchEnded(poll, host: host, report.fetch, started: started)  // when the poll ended without fetching
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
        note(poll.feed, report, label: label, completion: completion)
        log(poll, report, label: label, completion: completion)
        if let adopted = report.adoptedURL { feedByAdoptedURL[adopted] = poll.feed }
        metrics.gone.record(scheduler.goneCount)
        if let budget = environment.fetcher.budget {
            let pauses = budget.pauses
            if pauses > budgetPausesCounted {
                metrics.countBudgetWait(stage: "transfer", by: pauses - budgetPausesCounted)
                budgetPausesCounted = pauses
            }
        }
        wakeUp()
    }

    /// A poll's fetch ended: its host's place goes to the next poll waiting for it (started by
    /// the loop, when an in-flight place is free); a host that timed out once too often is
    /// backed off, and the polls waiting for it end.
    private func fetchEnded(_ poll: DuePoll, host: String, _ fetched: FetchResult, started: ContinuousClock.Instant) {
        guard holdingHost.remove(poll.feed) != nil else { return }
        let now = ContinuousClock.now
        let backoff = lanes.finished(
            host: host, started: started, timedOut: fetched.outcome == .failed(.timeout), responded: fetched.status > 0, now: now)
        if let backoff {
            logger.warning(
                "\(host) timed out on \(lanes.settings.timeoutsBeforeBackoff) polls in a row: its feeds wait \((backoff.until - now).components.seconds) s",
                metadata: ["host": "\(host)", "waiting": "\(backoff.waiters.count)"])
            for waiter in backoff.waiters {
                endUnfetched(waiter, label: "host_backoff", verdict: .deferred(retryAfter: backoff.until - now), waited: nil)
            }
            metrics.hostsBackedOff.record(lanes.backedOffCount(now: now))
        }
        if lanes.hasReady { wakeUp() }
    }

}

extension PollDispatcher {
    /// Why parts of the fetcher stopped working (a libcurl multi handle that failed): its
    /// hosts cannot be polled until the daemon restarts. Empty when all is well.
    public var fetcherFailures: [String] { environment.fetcher.failedLoops }

    /// Whether the loop turned recently: it turns at least when a poll ends or one is due, so
    /// a loop silent for over a minute while polls are in flight or due is stuck.
    public func isTurning() -> Bool {
        let quiet = ContinuousClock.now - lastTurn
        return quiet < .seconds(60) || inFlightCount == 0 && (scheduler.nextDue.map { $0 > .now } ?? true)
    }
}
