import AsyncBridges
import Logging
import Metrics

/// What one send of a group of batches came to (see ``SinkBatcher``).
public enum SinkSendOutcome: Sendable, Equatable {
    /// Accepted: every batch of the group is answered true.
    case delivered
    /// A failure that may pass (5xx, 408, 429, a network error, Redis down): the group is
    /// sent again after `after` (when the far end said how long) or the next backoff step.
    case retry(after: Duration?, reason: String)
    /// Refused for good (a 4xx, a wrong-type key): the group is answered false and the
    /// entries stay unmarked, so the feeds' next polls offer them again.
    case rejected(reason: String)
}

/// The batching, retrying core of the network sinks. `deliver` holds each batch; one sender
/// task gathers what is held — up to `maxEntries` entries, or what arrived within `window` of
/// the first — into one send, in arrival order (a single batch larger than `maxEntries` goes
/// alone, whole), and answers every batch of the group once that send ended. One send is in
/// flight at a time, so the entries of a feed arrive in the order they were delivered.
///
/// Metrics: `hubdiffer_sink_batches_total{sink,outcome}` counts sends (POSTs, pipelines) by
/// how they ended — `delivered`, `rejected`, `abandoned` (under way when `flush` gave up) —,
/// `hubdiffer_sink_entries_total{sink}` the entries accepted, and
/// `hubdiffer_sink_retries_total{sink}` the failed attempts that were retried.
///
/// Failures that may pass are retried with exponential backoff (`initialBackoff`, doubling up
/// to `maximumBackoff`, or the far end's Retry-After), for as long as it takes: the polls
/// waiting in `deliver` hold, and the daemon slows down instead of losing entries.
public actor SinkBatcher {
    public typealias Send = @Sendable ([SinkBatch]) async -> SinkSendOutcome

    /// How much one send gathers, and how long a failing far end is waited for between tries.
    public struct Limits: Sendable {
        public var maxEntries: Int
        public var window: Duration
        public var initialBackoff: Duration
        public var maximumBackoff: Duration

        public init(
            maxEntries: Int, window: Duration, initialBackoff: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(30)
        ) {
            self.maxEntries = maxEntries
            self.window = window
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// A batch waiting for its answer.
    private struct Held {
        let batch: SinkBatch
        /// Given once: by the send's end, by `flush`, or false by the caller's cancellation.
        let answer: OneAnswer<Bool>
    }

    private let name: String
    private let kind: String
    private let limits: Limits
    private let send: Send
    private let logger: Logger
    private let metrics: MetricsFactory

    private var pending: [Held] = []
    private var pendingEntries = 0
    private var firstArrival: ContinuousClock.Instant?
    /// The group being sent (answered by the sender, or false by `flush` at its deadline).
    private var inFlight: [Held] = []
    private var senderRunning = false
    /// True while the sender waits out the batching window (new batches may end it early).
    private var gathering = false
    private var flushing = false
    /// After `flush`: every new batch is answered false at once.
    private var closed = false

    /// The sender's pause (the window or a backoff), and the timer that ends it.
    private var wake: CheckedContinuation<Void, Never>?
    private var wakeTimer: Task<Void, Never>?
    private var wakeGeneration = 0
    /// `flush`, waiting for the sender to run dry.
    private var drained: CheckedContinuation<Void, Never>?

    /// - Parameters:
    ///   - name: the sink as logs show it (password redacted).
    ///   - kind: the `sink` label of the metrics (`http`, `redis`).
    public init(name: String, kind: String, limits: Limits, logger: Logger, metrics: MetricsFactory, send: @escaping Send) {
        self.name = name
        self.kind = kind
        self.limits = limits
        self.logger = logger
        self.metrics = metrics
        self.send = send
    }

    /// Holds `batch` until a send that carried it ended: true once it was accepted, false
    /// when it was refused for good or the sink was flushed before it could be accepted. A
    /// cancelled caller is answered false at once, and its batch is dropped unless a send has
    /// taken it already (then its entries may go out twice, never zero times).
    public func deliver(_ batch: SinkBatch) async -> Bool {
        guard batch.count > 0 else { return true }
        guard !closed else { return false }
        return await OneAnswer.awaiting(ifCancelled: false) { answer in hold(batch, answer: answer) }
    }

    /// Queues `batch` for the sender (started when none runs).
    private func hold(_ batch: SinkBatch, answer: OneAnswer<Bool>) {
        if pending.isEmpty { firstArrival = .now }
        pending.append(Held(batch: batch, answer: answer))
        pendingEntries += batch.count
        if !senderRunning {
            senderRunning = true
            Task { await self.runSender() }
        } else if gathering && pendingEntries >= limits.maxEntries {
            wakeSender()
        }
    }

    /// Entries held now: waiting for a send, or in one. (A test waits on it to know that a
    /// batch handed to `deliver` from another task is held.)
    var heldEntries: Int { pendingEntries + inFlight.reduce(0) { $0 + $1.batch.count } }

    /// Sends what is held without waiting out the window, and answers false whatever is not
    /// accepted by `deadline`. Batches delivered later are answered false at once.
    public func flush(deadline: ContinuousClock.Instant) async {
        guard !closed else { return }
        flushing = true
        if gathering { wakeSender() }
        if !pending.isEmpty || !inFlight.isEmpty {
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.endDrainWait()
            }
            await withCheckedContinuation { drained = $0 }
            timer.cancel()
        }
        closed = true
        let abandoned = inFlight + pending
        if !inFlight.isEmpty { countBatch("abandoned") }  // the send under way (pending ones never went)
        inFlight = []
        pending = []
        pendingEntries = 0
        if !abandoned.isEmpty {
            logger.error(
                "sink \(name): \(abandoned.reduce(0) { $0 + $1.batch.count }) entries not accepted by the shutdown deadline; they stay unmarked")
        }
        for held in abandoned { held.answer.give(false) }
        wakeSender()  // a sender in backoff ends now
    }

    // MARK: - The sender

    private func runSender() async {
        while !pending.isEmpty && !closed {
            if !flushing, pendingEntries < limits.maxEntries, let first = firstArrival, ContinuousClock.now < first + limits.window {
                gathering = true
                await pause(until: first + limits.window)
                gathering = false
                if closed { break }
            }
            takeGroup()
            await sendInFlight()
        }
        senderRunning = false
        endDrainWait()
    }

    /// Moves the oldest held batches, up to `maxEntries` entries (at least one batch), to
    /// `inFlight`.
    private func takeGroup() {
        // Batches whose callers were cancelled (answered false) are not sent.
        if pending.contains(where: \.answer.isAnswered) {
            pendingEntries -= pending.lazy.filter(\.answer.isAnswered).reduce(0) { $0 + $1.batch.count }
            pending.removeAll(where: \.answer.isAnswered)
        }
        var count = 0
        var taken = 0
        while taken < pending.count, taken == 0 || count + pending[taken].batch.count <= limits.maxEntries {
            count += pending[taken].batch.count
            taken += 1
        }
        inFlight = Array(pending.prefix(taken))
        pending.removeFirst(taken)
        pendingEntries -= count
        // What is left over has waited already: it goes next, without another window.
        firstArrival = nil
    }

    /// Sends `inFlight` until it is accepted, refused, or `flush` gave up on it.
    private func sendInFlight() async {
        var attempt = 0
        while !inFlight.isEmpty {
            let outcome = await send(inFlight.map(\.batch))
            guard !inFlight.isEmpty else { return }  // flush answered it meanwhile
            let entries = inFlight.reduce(0) { $0 + $1.batch.count }
            switch outcome {
            case .delivered:
                if attempt > 0 { logger.info("sink \(name): accepted again after \(attempt) retries") }
                countBatch("delivered")
                Counter(label: "hubdiffer_sink_entries_total", dimensions: [("sink", kind)], factory: metrics).increment(by: entries)
                answer(true)
            case .rejected(let reason):
                logger.error(
                    "sink \(name): \(reason); \(entries) entries of \(Set(inFlight.map(\.batch.feed)).count) feeds refused, left unmarked for the next polls")
                countBatch("rejected")
                answer(false)
            case .retry(let after, let reason):
                Counter(label: "hubdiffer_sink_retries_total", dimensions: [("sink", kind)], factory: metrics).increment()
                let delay = after.map { max($0, limits.initialBackoff) } ?? backoff(attempt)
                logger.warning(
                    "sink \(name): \(reason); \(entries) entries wait, retry \(attempt + 1) in \(Self.seconds(delay))")
                attempt += 1
                await pause(until: .now + delay)
            }
        }
    }

    /// `initialBackoff` × 2^attempt, at most `maximumBackoff`.
    private func backoff(_ attempt: Int) -> Duration {
        var delay = limits.initialBackoff
        for _ in 0..<min(attempt, 32) where delay < limits.maximumBackoff { delay *= 2 }
        return min(delay, limits.maximumBackoff)
    }

    private func answer(_ accepted: Bool) {
        let group = inFlight
        inFlight = []
        for held in group { held.answer.give(accepted) }
    }

    private func countBatch(_ outcome: String) {
        Counter(label: "hubdiffer_sink_batches_total", dimensions: [("sink", kind), ("outcome", outcome)], factory: metrics).increment()
    }

    // MARK: - Pausing

    /// Sleeps until `instant`, or until ``wakeSender()``.
    private func pause(until instant: ContinuousClock.Instant) async {
        guard ContinuousClock.now < instant else { return }
        wakeGeneration += 1
        let generation = wakeGeneration
        await withCheckedContinuation { continuation in
            wake = continuation
            wakeTimer = Task {
                try? await Task.sleep(until: instant, clock: .continuous)
                self.timerEnded(generation)
            }
        }
    }

    private func timerEnded(_ generation: Int) {
        guard generation == wakeGeneration else { return }
        wakeSender()
    }

    private func wakeSender() {
        wakeTimer?.cancel()
        wakeTimer = nil
        if let wake {
            self.wake = nil
            wake.resume()
        }
    }

    /// Ends `flush`'s wait (the sender ran dry, or the deadline passed).
    private func endDrainWait() {
        if let drained {
            self.drained = nil
            drained.resume()
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
