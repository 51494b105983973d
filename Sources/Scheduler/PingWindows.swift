/// When each recently ping-polled feed may next be polled for a ping: the end of its ping
/// window (`SchedulePolicy.pingInterval` after its last ping-triggered poll started).
///
/// Only open windows matter, so only feeds ping-polled within the last interval are held: a
/// side table by slot (~20 bytes an entry), pruned of closed windows whenever it has doubled
/// since the last pruning. Feeds never pinged cost nothing.
struct PingWindows: Sendable {
    /// The window's length in nanoseconds; 0 opens none (pings are not coalesced over time).
    let length: Int64
    private var ends: [Int32: Int64] = [:]
    /// The size at which closed windows are next swept out.
    private var pruneAt = 1_024

    init(length: Duration) {
        self.length = max(0, length.saturatingNanoseconds)
    }

    /// Open windows, closed ones not yet swept out included.
    var count: Int { ends.count }

    /// The earliest time, from `time` on, a ping-triggered poll of `slot` may be due.
    func earliestPoll(of slot: Int32, at time: Int64) -> Int64 {
        guard let end = ends[slot] else { return time }
        return max(time, end)
    }

    /// A ping-triggered poll of `slot` starts at `time`: the next one waits for the window.
    mutating func open(_ slot: Int32, at time: Int64) {
        guard length > 0 else { return }
        if ends.count >= pruneAt { prune(closedBy: time) }
        ends[slot] = time.saturatingAdding(length)
    }

    /// The slot's feed is gone from the schedule (its slot may be reused).
    mutating func forget(_ slot: Int32) {
        ends[slot] = nil
    }

    private mutating func prune(closedBy time: Int64) {
        ends = ends.filter { $0.value > time }
        pruneAt = max(1_024, 2 * ends.count)
    }
}
