/// Polls fetching per host, the polls waiting for their host's turn, and hosts that keep
/// timing out: what keeps one host from holding the daemon's in-flight places.
///
/// - A host fetches for at most ``Settings/perHost`` polls at once (a place is held from the
///   poll's start to the end of its fetch, not through its parse and store); the others wait
///   here, holding no in-flight place, in the order they came, and leave through
///   ``takeReady(limit:now:)`` as places free.
/// - A poll waits at most ``Settings/maximumWait``; past it, it leaves as expired (the daemon
///   ends it as `host_busy`). What it waited counts against its fetch deadline.
/// - ``Settings/timeoutsBeforeBackoff`` timeouts in a row back the host off: its waiting polls
///   leave at once, and new ones are refused until the backoff ends. After it, one more
///   timeout backs it off again for twice as long (up to ``Settings/maximumBackoff``); any
///   response from the host ends the streak.
///
/// Hosts are keys chosen by the caller (`host:port` of the URL). A value type: the daemon's
/// dispatcher owns one.
public struct HostLanes<Waiter> {
    public struct Settings: Sendable {
        /// Polls of one host at once.
        public var perHost: Int
        /// The longest a poll waits for its host.
        public var maximumWait: Duration
        /// Timeouts in a row that back a host off.
        public var timeoutsBeforeBackoff: Int
        /// The first backoff; each further one doubles.
        public var firstBackoff: Duration
        public var maximumBackoff: Duration

        public init(
            perHost: Int, maximumWait: Duration, timeoutsBeforeBackoff: Int = 3, firstBackoff: Duration = .seconds(60),
            maximumBackoff: Duration = .seconds(3600)
        ) {
            precondition(perHost > 0, "a host needs at least one place")
            self.perHost = perHost
            self.maximumWait = maximumWait
            self.timeoutsBeforeBackoff = timeoutsBeforeBackoff
            self.firstBackoff = firstBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// What a poll that comes due gets.
    public enum Admission: Equatable {
        /// Its host has a free place: run it now.
        case start
        /// It waits for its host (see ``takeReady(limit:now:)``).
        case wait
        /// Its host is backed off until then.
        case backedOff(until: ContinuousClock.Instant)
    }

    /// A waiting poll that got its host's place, and how long it waited.
    public struct Started {
        public let waiter: Waiter
        public let waited: Duration
    }

    /// Set when the end of a fetch backed its host off: until when, and the polls that were
    /// waiting for it (they leave now).
    public struct Backoff {
        public let until: ContinuousClock.Instant
        public let waiters: [Waiter]
    }

    private struct Lane {
        var running = 0
        var waiting: [(waiter: Waiter, since: ContinuousClock.Instant)] = []
        var head = 0
        var timeouts = 0
        var backoffs = 0
        var backedOffAt: ContinuousClock.Instant?
        var backoffUntil: ContinuousClock.Instant?

        var waitingCount: Int { waiting.count - head }
        var isIdle: Bool { running == 0 && waitingCount == 0 && timeouts == 0 && backoffUntil == nil }

        mutating func popFirst() -> (waiter: Waiter, since: ContinuousClock.Instant)? {
            guard head < waiting.count else { return nil }
            let first = waiting[head]
            head += 1
            if head == waiting.count || head > 1024 && head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return first
        }
    }

    public let settings: Settings
    private var lanes: [String: Lane] = [:]
    /// Every wait in arrival order (host and start), for expiry; entries whose poll already
    /// left are skipped when met.
    private var arrivals: [(host: String, since: ContinuousClock.Instant)] = []
    private var arrivalsHead = 0
    /// Hosts that have waiting polls and may have a free place, in the order places freed.
    private var ready: [String] = []
    private var readyHead = 0
    /// Polls waiting, all hosts together.
    public private(set) var waitingCount = 0

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Hosts backed off now.
    public func backedOffCount(now: ContinuousClock.Instant) -> Int {
        lanes.values.reduce(0) { $0 + (($1.backoffUntil.map { $0 > now } ?? false) ? 1 : 0) }
    }

    /// Polls of `host` running now.
    public func running(_ host: String) -> Int { lanes[host]?.running ?? 0 }

    /// A poll of `host` came due.
    public mutating func admit(_ waiter: Waiter, host: String, now: ContinuousClock.Instant) -> Admission {
        var lane = lanes[host] ?? Lane()
        defer { lanes[host] = lane }
        if let until = lane.backoffUntil {
            if until > now { return .backedOff(until: until) }
            lane.backoffUntil = nil  // over: the next timeout backs off again, for longer
        }
        if lane.running < settings.perHost {
            lane.running += 1
            return .start
        }
        lane.waiting.append((waiter, now))
        arrivals.append((host, now))
        waitingCount += 1
        return .wait
    }

    /// The fetch of a poll of `host` that started at `started` ended, and its place is free:
    /// `timedOut` when it found no answer in time, `responded` when the host answered at all
    /// (any status). A waiting poll takes the place through ``takeReady(limit:now:)``.
    public mutating func finished(
        host: String, started: ContinuousClock.Instant, timedOut: Bool, responded: Bool, now: ContinuousClock.Instant
    ) -> Backoff? {
        guard var lane = lanes[host] else { return nil }
        var backoff: Backoff?
        if responded {
            lane.timeouts = 0
            lane.backoffs = 0
        } else if timedOut, lane.backedOffAt.map({ started > $0 }) ?? true {
            // A poll that started before the last backoff said nothing new about the host.
            lane.timeouts += 1
            if lane.timeouts >= settings.timeoutsBeforeBackoff {
                let length = min(settings.maximumBackoff, settings.firstBackoff * (1 << min(lane.backoffs, 20)))
                lane.backoffs += 1
                lane.backedOffAt = now
                lane.backoffUntil = now + length
                var waiters: [Waiter] = []
                while let first = lane.popFirst() { waiters.append(first.waiter) }
                waitingCount -= waiters.count
                backoff = Backoff(until: now + length, waiters: waiters)
            }
        }
        lane.running -= 1
        if lane.waitingCount > 0 { ready.append(host) }
        lanes[host] = lane.isIdle ? nil : lane
        return backoff
    }

    /// Waiting polls whose host has a free place now, at most `limit`, oldest host first; each
    /// holds its host's place from here.
    public mutating func takeReady(limit: Int, now: ContinuousClock.Instant) -> [Started] {
        var started: [Started] = []
        while started.count < limit, readyHead < ready.count {
            let host = ready[readyHead]
            guard var lane = lanes[host] else {
                readyHead += 1
                continue
            }
            while started.count < limit, lane.running < settings.perHost, let first = lane.popFirst() {
                lane.running += 1
                waitingCount -= 1
                started.append(Started(waiter: first.waiter, waited: now - first.since))
            }
            lanes[host] = lane.isIdle ? nil : lane
            // Done with this host when it has no place or no waiter left; else `limit` stopped.
            if lane.running >= settings.perHost || lane.waitingCount == 0 { readyHead += 1 } else { break }
        }
        if readyHead == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        } else if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
        return started
    }

    /// Whether some waiting poll may have a free place (``takeReady(limit:now:)`` has work).
    public var hasReady: Bool { readyHead < ready.count }

    /// When the longest-waiting poll reaches ``Settings/maximumWait``; nil: none waits.
    public mutating func nextExpiry() -> ContinuousClock.Instant? {
        dropLeftArrivals()
        return arrivalsHead < arrivals.count ? arrivals[arrivalsHead].since + settings.maximumWait : nil
    }

    /// The polls that have waited ``Settings/maximumWait`` by `now`; they leave.
    public mutating func expired(now: ContinuousClock.Instant) -> [Started] {
        var gone: [Started] = []
        while true {
            dropLeftArrivals()
            guard arrivalsHead < arrivals.count, arrivals[arrivalsHead].since + settings.maximumWait <= now else { break }
            let host = arrivals[arrivalsHead].host
            arrivalsHead += 1
            guard var lane = lanes[host], let first = lane.popFirst() else { continue }
            waitingCount -= 1
            gone.append(Started(waiter: first.waiter, waited: now - first.since))
            lanes[host] = lane.isIdle ? nil : lane
        }
        compactArrivals()
        return gone
    }

    /// Skips arrivals whose poll already left. A host's polls leave in the order they came,
    /// so the front arrival is still waiting when its host's first waiting poll came at the same
    /// instant (of several that came at one instant, any stands for the first).
    private mutating func dropLeftArrivals() {
        while arrivalsHead < arrivals.count {
            let arrival = arrivals[arrivalsHead]
            if let lane = lanes[arrival.host], lane.head < lane.waiting.count, lane.waiting[lane.head].since == arrival.since {
                return
            }
            arrivalsHead += 1
        }
        compactArrivals()
    }

    private mutating func compactArrivals() {
        if arrivalsHead == arrivals.count {
            arrivals.removeAll(keepingCapacity: arrivals.count < 4096)
            arrivalsHead = 0
        } else if arrivalsHead > 1024 && arrivalsHead * 2 > arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
    }
}
