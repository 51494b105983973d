import Synchronization

/// `hubdiffer bench fetch`: the same request sent many times at once on a ``Fetcher``, as
/// polling sends conditional GETs, optionally with idle transfers held open meanwhile.
public struct FetchBenchmark: Sendable {
    public let fetcher: Fetcher

    public init(fetcher: Fetcher) { self.fetcher = fetcher }

    /// What the requests got.
    public struct Tally: Sendable, Equatable {
        /// Responses by HTTP status (0: no response).
        public var statuses: [Int: Int] = [:]
        /// Failures by what they said, for requests that failed.
        public var failures: [String: Int] = [:]
    }

    /// Sends `request` `count` times with `concurrency` in flight.
    public func run(_ request: FetchRequest, count: Int, concurrency: Int) async -> Tally {
        let fetcher = self.fetcher
        return await withTaskGroup(of: Tally.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var tally = Tally()
                    for _ in stride(from: worker, to: count, by: concurrency) {
                        let result = await fetcher.fetch(request)
                        tally.statuses[result.status, default: 0] += 1
                        if case .failed(let failure) = result.outcome { tally.failures["\(failure)", default: 0] += 1 }
                    }
                    return tally
                }
            }
            return await group.reduce(into: Tally()) { total, part in
                total.statuses.merge(part.statuses, uniquingKeysWith: +)
                total.failures.merge(part.failures, uniquingKeysWith: +)
            }
        }
    }

    /// Why idle transfers were not all held open: how many ran, how many ended, and how the
    /// first that ended did (the server answered or refused: it was not idle).
    public struct NotHeld: Error, Sendable {
        public var running: Int
        public var ended: Int
        public var firstEnding: String?
    }

    /// Opens `count` transfers to `urls` (in turn) that stay open until the process ends, and
    /// waits up to a minute until libcurl runs them all; throws when they are not all running
    /// or one of them ended within half a second.
    public func holdIdleTransfers(_ count: Int, urls: [String]) async throws(NotHeld) {
        let fetcher = self.fetcher
        let endings = EndedTransfers()
        for index in 0..<count {
            let url = urls[index % urls.count]
            Task.detached {
                let result = await fetcher.fetch(FetchRequest(url: url, timeout: .seconds(3600)))
                endings.state.withLock { $0 = ($0.count + 1, $0.first ?? "\(result.outcome)") }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while fetcher.transfersRunning < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        try? await Task.sleep(for: .milliseconds(500))  // long enough for a refused connection to end
        let (endedCount, first) = endings.state.withLock { $0 }
        guard fetcher.transfersRunning >= count, endedCount == 0 else {
            throw NotHeld(running: fetcher.transfersRunning, ended: endedCount, firstEnding: first)
        }
    }
}

/// How many of the idle transfers ended, and how the first did.
private final class EndedTransfers: Sendable {
    let state = Mutex<(count: Int, first: String?)>((0, nil))
}
