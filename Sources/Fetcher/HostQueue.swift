/// The transfers of each host (`host:port` of the URL): how many run, and those waiting for one
/// of the host's ``FetcherOptions/connectionsPerHost`` connections, in the order they came. A
/// wait counts against the transfer's deadline: one still waiting at it leaves as expired.
///
/// Owned by ``CurlMulti`` and used on its loop thread only; no libcurl here.
struct HostQueue {
    let perHost: Int
    private var hosts: [String: (running: Int, waiting: [Transfer])] = [:]

    init(perHost: Int) {
        self.perHost = perHost
    }

    /// Whether `transfer` may start now (it then holds one of its host's places); otherwise it
    /// waits here.
    mutating func admit(_ transfer: Transfer) -> Bool {
        let host = transfer.host
        var entry = hosts[host] ?? (0, [])
        defer { hosts[host] = entry }
        guard entry.running < perHost else {
            entry.waiting.append(transfer)
            return false
        }
        entry.running += 1
        return true
    }

    /// A transfer of `host` ended: its place goes to the first waiting transfer whose deadline
    /// has not passed (`next`, to start now); those found past theirs on the way leave.
    mutating func release(_ host: String, now: ContinuousClock.Instant) -> (next: Transfer?, expired: [Transfer]) {
        guard var entry = hosts[host] else { return (nil, []) }
        var expired: [Transfer] = []
        while !entry.waiting.isEmpty {
            let next = entry.waiting.removeFirst()
            if next.deadline > now {
                hosts[host] = entry
                return (next, expired)
            }
            expired.append(next)
        }
        entry.running -= 1
        hosts[host] = entry.running > 0 ? entry : nil
        return (nil, expired)
    }

    /// The waiting transfers whose deadline has passed (they leave), and the earliest deadline
    /// of those still waiting, for the loop to wake at (nil when none waits).
    mutating func expire(now: ContinuousClock.Instant) -> (expired: [Transfer], nextDeadline: ContinuousClock.Instant?) {
        var expired: [Transfer] = []
        var nextDeadline: ContinuousClock.Instant?
        for (host, entry) in hosts {
            var due = false
            for transfer in entry.waiting {
                if transfer.deadline <= now {
                    due = true
                } else if nextDeadline.map({ transfer.deadline < $0 }) ?? true {
                    nextDeadline = transfer.deadline
                }
            }
            guard due else { continue }
            expired += entry.waiting.filter { $0.deadline <= now }
            hosts[host]?.waiting.removeAll { $0.deadline <= now }
        }
        return (expired, nextDeadline)
    }

    /// How long the loop may wait for libcurl, in milliseconds: `limit`, or less when a waiting
    /// transfer's deadline (``expire(now:)``'s `nextDeadline`) comes sooner, so it fails as
    /// host busy at its deadline rather than up to `limit` after it.
    static func wait(until nextDeadline: ContinuousClock.Instant?, atMost limit: Int32) -> Int32 {
        guard let nextDeadline else { return limit }
        let milliseconds = (nextDeadline - .now).wholeMilliseconds + 1
        return Int32(clamping: max(0, min(milliseconds, Int64(limit))))
    }

    /// Takes `transfer` out of its host's line; false when it was not waiting there.
    mutating func remove(_ transfer: Transfer) -> Bool {
        guard let index = hosts[transfer.host]?.waiting.firstIndex(where: { $0 === transfer }) else { return false }
        hosts[transfer.host]?.waiting.remove(at: index)
        return true
    }

    /// Every waiting transfer; the queue is emptied (the fetcher stops).
    mutating func drain() -> [Transfer] {
        defer { hosts.removeAll() }
        return hosts.values.flatMap(\.waiting)
    }
}
