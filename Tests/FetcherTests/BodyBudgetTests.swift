import Foundation
import Synchronization
import Testing
import TestSupport

@testable import Fetcher

/// ``BodyBudget``: what a transfer may hold, the one overdraft, and fetches that stay within it.
@Suite("Body budget", .serialized, .ownThread)
struct BodyBudgetTests {
    @Test("grants until spent, then one running charge may overdraw while the others wait; a body larger than the budget is refused; releases give back and wake")
    func grants() {
        let budget = BodyBudget(limit: 100)
        let woken = WakeCount()
        budget.onRelease { woken.add() }
        var a: BodyCharge? = budget.charge()
        var b: BodyCharge? = budget.charge()
        let c = budget.charge()
        #expect(budget.grow(a!, by: 60) == .granted)
        #expect(budget.grow(b!, by: 30) == .granted)
        #expect(budget.grow(b!, by: 30) == .granted)  // overdraws: b holds the overdraft
        #expect(budget.used == 120 && budget.pollsThatFit(inFlight: 0) == 0)
        #expect(budget.grow(c, by: 10) == .wait)
        #expect(budget.grow(a!, by: 10) == .wait)
        #expect(budget.grow(c, by: 101) == .refused)
        #expect(budget.pauses == 2)
        b = nil  // released: 60 bytes back, the overdraft free, the waiters woken
        #expect(budget.used == 60 && woken.count == 1)
        #expect(budget.grow(c, by: 10) == .granted)
        a = nil
        #expect(budget.used == 10 && budget.peak == 120)
        #expect(woken.count == 1, "nobody waited since the last wake")
    }

    @Test("polls that fit: what is left at the typical body size, less the polls under way that hold nothing yet; the typical size follows finished bodies")
    func pollsThatFit() {
        let budget = BodyBudget(limit: 1 << 20)
        #expect(budget.pollsThatFit(inFlight: 0) == 16)  // 64 KiB to begin with
        #expect(budget.pollsThatFit(inFlight: 4) == 12)
        let body = budget.charge()
        #expect(budget.grow(body, by: 512 << 10) == .granted)
        #expect(budget.pollsThatFit(inFlight: 4) == 8 - 3)
        budget.finished(body)
        #expect(budget.typicalBody == (64 << 10) + ((512 - 64) << 10) / 8)
        #expect(budget.pollsThatFit(inFlight: 40) == 0)
    }

    @Test("a parse holds its working memory while it runs, past the limit if need be, and the budget keeps room for the parses after it")
    func parseHolds() {
        let k = 10_000  // sizes in units of 10 kB: the typical body starts at 64 KiB
        let budget = BodyBudget(limit: 100 * k, parallelHolds: 1)
        let woken = WakeCount()
        budget.onRelease { woken.add() }
        var parsed: BodyCharge? = budget.charge()
        #expect(budget.grow(parsed!, by: 80 * k) == .granted)
        budget.finished(parsed!)
        let running = budget.charge()
        budget.holding(40 * k) {
            #expect(budget.used == 120 * k && budget.peak == 120 * k)
            // No overdraft while a parse runs: its end makes room.
            #expect(budget.grow(running, by: 10 * k) == .wait)
        }
        // Its end leaves the room kept (the typical hold is now 40): no room for bodies, nobody woken.
        #expect(budget.used == 80 * k && woken.count == 0)
        parsed = nil
        #expect(woken.count == 1)
        // Room for one hold of 40 is kept: bodies get 60, and past that only the overdraft.
        #expect(budget.grow(running, by: 60 * k) == .granted)
        #expect(budget.pollsThatFit(inFlight: 1) == 0)
        #expect(budget.grow(running, by: 30 * k) == .granted)  // overdraws: 60 + 30 + the room of 40
        #expect(budget.grow(budget.charge(), by: 5 * k) == .wait, "without the room 95 would fit")
        // The parse of that body takes its room: 90 + 40, within the limit plus the overdraft.
        let before = woken.count
        budget.holding(40 * k) { #expect(budget.used == 130 * k) }
        #expect(budget.used == 90 * k)
        #expect(woken.count == before + 1, "only running transfers are left: the overdraft's holder may go on")
    }

    @Test("the end of a hold wakes who waits when it made room: past the room kept, or with only running transfers left")
    func holdEndsWake() {
        let k = 10_000
        let budget = BodyBudget(limit: 100 * k, parallelHolds: 1)
        let woken = WakeCount()
        budget.onRelease { woken.add() }
        let running = budget.charge()
        #expect(budget.grow(running, by: 50 * k) == .granted)
        budget.holding(30 * k) {
            budget.holding(30 * k) {  // two parses where room is kept for one
                #expect(budget.grow(running, by: 10 * k) == .wait)
            }
            #expect(woken.count == 1, "the second hold was past the room")
            #expect(budget.grow(running, by: 25 * k) == .wait)  // 50 + the room of 30 + 25
        }
        // Only the running transfer is left: it may overdraw now.
        #expect(woken.count == 2)
        #expect(budget.grow(running, by: 30 * k) == .granted)
    }

    @Test("an idle budget always lets a poll start, whatever room it keeps for parses")
    func idleBudgetStartsAPoll() {
        // Room at its cap and a typical body larger than what is left beside it.
        let budget = BodyBudget(limit: 1_600_000, parallelHolds: 2)
        budget.holding(1_000_000) {}
        for _ in 0..<40 {
            let body = budget.charge()
            #expect(budget.grow(body, by: 1_500_000) == .granted)
            budget.finished(body)
        }
        #expect(budget.used == 0 && budget.typicalBody > 1_400_000)
        #expect(budget.pollsThatFit(inFlight: 0) == 1)
        #expect(budget.pollsThatFit(inFlight: 1) == 0)
    }

    @Test("no overdraft while a finished body is held: its release makes the room")
    func finishedBodiesComeFirst() {
        let budget = BodyBudget(limit: 100)
        var done: BodyCharge? = budget.charge()
        let running = budget.charge()
        #expect(budget.grow(done!, by: 80) == .granted)
        budget.finished(done!)
        #expect(budget.grow(running, by: 30) == .wait)
        done = nil
        #expect(budget.grow(running, by: 30) == .granted)
        #expect(budget.used == 30)
    }

    @Test("40 gzipped bodies of 2 MB fetched at once within a 6 MB budget: all complete, intact; held at most the budget plus one body's buffer; transfers paused; nothing held after")
    func fetchesWithinBudget() async throws {
        let body = Array(FeedFixtures.rss(items: 1...3).utf8) + Array(repeating: UInt8(ascii: " "), count: 2 << 20)
        let nginx = try NginxProcess(files: ["big.xml": body])
        defer { nginx.stop() }
        let budget = BodyBudget(limit: 6 << 20)
        let fetcher = Fetcher(options: FetcherOptions(connectionsPerHost: 40, refusePrivateAddresses: false), budget: budget)
        let sizes = await withTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let result = await fetcher.fetch(FetchRequest(url: nginx.baseURL + "/big.xml?\(index)"))
                    guard case .changed(let fetched) = result.outcome else { return -1 }
                    return fetched.bytes == body ? fetched.bytes.count : -2
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sizes == Array(repeating: body.count, count: 40))
        // Gzipped, the length is not announced: a buffer grows by half again, so the one
        // overdrawing transfer may hold up to 1.5 bodies.
        #expect(budget.peak <= budget.limit + body.count * 3 / 2, "peak \(budget.peak)")
        #expect(budget.pauses > 0)
        #expect(budget.used == 0)
    }

    @Test("a body larger than the whole budget is refused with the reason")
    func overBudget() async throws {
        let nginx = try NginxProcess(files: ["big.xml": Array(repeating: UInt8(ascii: "x"), count: 3 << 20)])
        defer { nginx.stop() }
        let fetcher = Fetcher(options: FetcherOptions(refusePrivateAddresses: false), budget: BodyBudget(limit: 2 << 20))
        let result = await fetcher.fetch(FetchRequest(url: nginx.baseURL + "/big.xml"))
        #expect(result.outcome == .failed(.bodyOverBudget(limit: 2 << 20)))
        #expect("\(FetchFailure.bodyOverBudget(limit: 2 << 20))".contains("--body-budget"))
    }
}

/// Counts calls from any thread.
private final class WakeCount: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func add() { value.withLock { $0 += 1 } }
}
