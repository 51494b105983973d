import Synchronization

/// The bytes of response bodies held at once, across every transfer of a ``Fetcher`` and
/// whatever keeps a fetched body afterwards (the parse, with its own working copy:
/// ``holding(_:during:)``): what bounds the poller's memory when hundreds of large feeds answer
/// together.
///
/// A transfer charges the capacity its body buffer grows to (a ``BodyCharge``); the charge is
/// given back when the last copy of the body is released. When the budget is spent, a transfer
/// that needs more is paused (libcurl stops reading its socket) until bodies are released,
/// and the daemon starts no more polls than fit in what is left at the typical body size
/// (``pollsThatFit(inFlight:)``). When everything held belongs to transfers
/// still running (no finished body will be released to make room), one of them may overdraw
/// the budget, so that paused transfers never wait for each other forever.
///
/// A parse charges its working memory while it runs (``holding(_:during:)``) and never waits:
/// the bodies it would wait for are the ones waiting for it. So the budget keeps room for the
/// parses that may run at once (`parallelHolds`, one per parse thread) at the typical size of
/// a hold (none before the first hold; at most half the limit, and never so much that a
/// typical body no longer fits), and bodies get the rest. The bytes charged are then at most
/// ``limit`` plus one body's buffer (the announced length, or up to half again the body when
/// the length is not known in advance), plus what the parses under way hold past their room
/// (at most `parallelHolds` holds). What a parse leaves behind (the entries' text, until the
/// poll is done with them) is not charged. A body that alone would need more than the whole
/// budget is refused (``FetchFailure/bodyOverBudget(limit:)``).
public final class BodyBudget: Sendable {
    /// What a transfer asking for more bytes gets.
    enum Grant: Equatable {
        case granted
        /// Paused until bodies are released.
        case wait
        /// The body alone would be larger than the whole budget.
        case refused
    }

    private struct State {
        var used = 0
        /// What transfers still running hold (the rest is finished bodies, released once used).
        var running = 0
        var peak = 0
        /// The one charge allowed past the limit (nil: none).
        var overdraft: ObjectIdentifier?
        var pauses = 0
        var someoneWaits = false
        /// Charges holding bytes (each a poll with a body under way or not yet released).
        var liveCharges = 0
        /// The typical finished body: a moving average (1/8 per body), 64 KiB to begin with.
        var typicalBody = 64 << 10
        /// What the parses under way hold.
        var held = 0
        /// The typical hold: a moving average (1/8 per hold), the first hold to begin with.
        var typicalHold = 0

        /// What is spoken for: the bodies, and the parses' room or what they hold when it is more.
        func committed(room: Int) -> Int { used - held + max(held, room) }
    }

    /// The bytes bodies and parses may hold at once (what may go past it: see above).
    public let limit: Int
    private let state = Mutex(State())
    private let observers = Mutex<[@Sendable () -> Void]>([])

    /// How many parses may hold working memory at once; the budget keeps room for them.
    public let parallelHolds: Int

    /// `parallelHolds`: the parse threads (0: no room kept for parses).
    public init(limit: Int, parallelHolds: Int = 0) {
        precondition(limit > 0, "a body budget must be positive")
        self.limit = limit
        self.parallelHolds = max(0, parallelHolds)
    }

    /// The room kept for the parses: `parallelHolds` typical holds, at most half the limit and
    /// never so much that a typical body no longer fits beside it.
    private func room(_ state: State) -> Int {
        min(limit / 2, max(0, limit - state.typicalBody), parallelHolds * state.typicalHold)
    }

    /// `average` moved an eighth of the way to `sample`: the typical body's and hold's pace.
    private static func movedAverage(_ average: Int, toward sample: Int) -> Int { average + (sample - average) / 8 }

    /// Bytes charged now.
    public var used: Int { state.withLock { $0.used } }
    /// The most bytes charged at once so far.
    public var peak: Int { state.withLock { $0.peak } }
    /// How many transfers were paused for want of budget (each counted once).
    public var pauses: Int { state.withLock { $0.pauses } }

    /// The typical size of a finished body (a moving average).
    public var typicalBody: Int { state.withLock { $0.typicalBody } }

    /// How many more polls may start, `inFlight` being under way: what is left of the budget
    /// at the typical body size, less the polls under way that hold nothing yet (they will).
    /// When none may, the next release calls the observers (``onRelease(_:)``): the check and
    /// that wish are one step, so a release in between cannot be missed.
    public func pollsThatFit(inFlight: Int) -> Int {
        state.withLock { state in
            // With nothing held, what is free is at least a typical body (the room leaves one a
            // place) or the whole limit: one poll may always start on an idle budget, as no
            // poll's end and no release would come to ask again.
            let free = limit - state.committed(room: room(state))
            let body = max(1, min(state.typicalBody, limit))
            let fit = free <= 0 ? 0 : max(0, free / body - max(0, inFlight - state.liveCharges))
            if fit == 0 { state.someoneWaits = true }
            return fit
        }
    }

    /// Calls `observer` after a release, or the end of a parse's hold, that made room someone
    /// waited for; on the thread that gave the bytes back (a transfer's, a poll's, a parse's).
    public func onRelease(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// A new, empty charge against this budget.
    func charge() -> BodyCharge { BodyCharge(budget: self) }

    /// Adds `bytes` to `charge` if the budget allows it.
    func grow(_ charge: BodyCharge, by bytes: Int) -> Grant {
        let id = ObjectIdentifier(charge)
        let grant = state.withLock { state -> Grant in
            let held = charge.bytes
            if held + bytes > limit { return .refused }
            // Only when all that is held belongs to running transfers: no body or parse will end
            // by itself to make room.
            let mayOverdraw = (state.overdraft == nil || state.overdraft == id) && state.used == state.running
            let fits = state.committed(room: room(state)) + bytes <= limit
            guard fits || mayOverdraw else {
                if !charge.hasWaited { state.pauses += 1 }
                charge.hasWaited = true
                state.someoneWaits = true
                return .wait
            }
            if !fits { state.overdraft = id }
            if charge.bytes == 0 && bytes > 0 { state.liveCharges += 1 }
            state.used += bytes
            state.running += bytes
            state.peak = max(state.peak, state.used)
            return .granted
        }
        if grant == .granted { charge.bytes += bytes }
        return grant
    }

    /// The transfer that holds `charge` ended: its body is finished (or dropped).
    func finished(_ charge: BodyCharge) {
        guard !charge.isFinished else { return }
        charge.isFinished = true
        state.withLock { state in
            state.running -= charge.bytes
            if charge.bytes > 0 { state.typicalBody = Self.movedAverage(state.typicalBody, toward: charge.bytes) }
        }
    }

    /// Charges `bytes` while `work` runs: the memory a parse takes beside the body it reads
    /// (libxml2's copy of the document, the text kept from it). It never waits, so it may take
    /// the budget past its limit; transfers that need more then wait until it is given back,
    /// as they wait for a released body, and no poll starts meanwhile.
    public func holding<Value, Failure: Error>(_ bytes: Int, during work: () throws(Failure) -> Value) throws(Failure) -> Value {
        let bytes = max(0, bytes)
        state.withLock { state in
            state.used += bytes
            state.held += bytes
            state.typicalHold = state.typicalHold == 0 ? bytes : Self.movedAverage(state.typicalHold, toward: bytes)
            state.peak = max(state.peak, state.used)
        }
        defer {
            giveBack(bytes) { state in
                // Room for bodies only when the parses held more than their room, or when only
                // running transfers are left (one may overdraw). In the daemon the parsed
                // body's release follows, and wakes waiters in any case.
                let pastRoom = bytes > 0 && state.held > room(state)
                state.held -= bytes
                return pastRoom || state.used == state.running
            }
        }
        return try work()
    }

    fileprivate func release(_ bytes: Int, finished: Bool, of id: ObjectIdentifier) {
        giveBack(bytes) { state in
            state.liveCharges -= 1
            if !finished { state.running -= bytes }
            if state.overdraft == id { state.overdraft = nil }
            return true
        }
    }

    /// Takes `bytes` off what is used (with `update`, in the same step, which says whether that
    /// made room for bodies) and wakes the observers when it did and someone waited for room.
    private func giveBack(_ bytes: Int, _ update: (inout State) -> Bool) {
        let wake = state.withLock { state -> Bool in
            state.used -= bytes
            guard update(&state), state.someoneWaits else { return false }
            state.someoneWaits = false
            return true
        }
        guard wake else { return }
        for observer in observers.withLock({ $0 }) { observer() }
    }
}

/// The bytes one body holds against a ``BodyBudget``; given back when the charge is released,
/// that is when the last holder of the body lets it go (it travels with ``FetchedBody``).
///
/// `@unchecked Sendable`: `bytes`, `isFinished` and `hasWaited` are written only on the fetcher's loop thread
/// while the transfer runs (by ``BodyBudget/grow(_:by:)`` and ``BodyBudget/finished(_:)``), and
/// read in `deinit`, after every holder let go.
public final class BodyCharge: @unchecked Sendable {
    private let budget: BodyBudget
    fileprivate(set) var bytes = 0
    fileprivate(set) var isFinished = false
    fileprivate(set) var hasWaited = false

    fileprivate init(budget: BodyBudget) { self.budget = budget }

    deinit {
        if bytes > 0 { budget.release(bytes, finished: isFinished, of: ObjectIdentifier(self)) }
    }
}
