/// When a shard may be tried. After a failure the shard is skipped for a pause that doubles
/// with each failed probe (up to a cap); when the pause is over, one call probes it.
/// Pure state: the ``ShardWorker`` that owns it decides the time.
struct CircuitBreaker: Sendable {
    enum State: Sendable, Equatable {
        case closed
        /// Skipped until `until`; `pause` is the length of the current pause.
        case open(until: ContinuousClock.Instant, pause: Duration)
    }

    private(set) var state = State.closed
    let firstPause: Duration
    let maximumPause: Duration

    init(firstPause: Duration = .milliseconds(250), maximumPause: Duration = .seconds(30)) {
        self.firstPause = firstPause
        self.maximumPause = maximumPause
    }

    /// Whether a call may go to the shard now (closed, or the pause is over: a probe).
    func allows(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until, _): return now >= until
        }
    }

    /// Records a failure; true when the shard just went down (was closed).
    mutating func recordFailure(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            state = .open(until: now + firstPause, pause: firstPause)
            return true
        case .open(_, let pause):
            let next = min(pause * 2, maximumPause)
            state = .open(until: now + next, pause: next)
            return false
        }
    }

    /// Records a success; true when the shard just came back (was open).
    mutating func recordSuccess() -> Bool {
        defer { state = .closed }
        return state != .closed
    }
}
