import Scheduler
import Testing

/// ``HostLanes``: places per host, waits that expire, and hosts backed off after timeouts.
@Suite("Host lanes")
struct HostLanesTests {
    let start = ContinuousClock.now
    typealias Lanes = HostLanes<Int>

    func lanes(perHost: Int = 2, wait: Duration = .seconds(15)) -> Lanes {
        Lanes(settings: .init(perHost: perHost, maximumWait: wait, timeoutsBeforeBackoff: 3, firstBackoff: .seconds(60)))
    }

    @Test("a host fetches for at most its places; the others wait in order and take each place that frees, with how long they waited, up to a limit")
    func placesAndOrder() {
        var lanes = lanes()
        #expect(lanes.admit(1, host: "a:80", now: start) == .start)
        #expect(lanes.admit(2, host: "a:80", now: start) == .start)
        #expect(lanes.admit(3, host: "a:80", now: start) == .wait)
        #expect(lanes.admit(4, host: "a:80", now: start + .seconds(1)) == .wait)
        #expect(lanes.admit(5, host: "b:80", now: start) == .start)
        #expect(lanes.waitingCount == 2 && !lanes.hasReady)
        #expect(lanes.finished(host: "a:80", started: start, timedOut: false, responded: true, now: start + .seconds(2)) == nil)
        #expect(lanes.running("a:80") == 1 && lanes.hasReady)
        #expect(lanes.takeReady(limit: 0, now: start + .seconds(2)).isEmpty)
        let first = lanes.takeReady(limit: 5, now: start + .seconds(2))
        #expect(first.map(\.waiter) == [3] && first.first?.waited == .seconds(2))
        #expect(lanes.running("a:80") == 2 && !lanes.hasReady)
        _ = lanes.finished(host: "a:80", started: start, timedOut: false, responded: true, now: start + .seconds(3))
        _ = lanes.finished(host: "a:80", started: start, timedOut: false, responded: true, now: start + .seconds(3))
        let second = lanes.takeReady(limit: 5, now: start + .seconds(3))
        #expect(second.map(\.waiter) == [4] && second.first?.waited == .seconds(2))
        #expect(lanes.waitingCount == 0 && lanes.running("a:80") == 1)
        _ = lanes.finished(host: "a:80", started: start, timedOut: false, responded: true, now: start)
        #expect(lanes.running("a:80") == 0 && lanes.takeReady(limit: 5, now: start).isEmpty)
    }

    @Test("a wait ends at the maximum: expired in arrival order across hosts, the next expiry tracked, started ones skipped")
    func expiry() {
        var lanes = lanes(perHost: 1, wait: .seconds(10))
        _ = lanes.admit(1, host: "a", now: start)
        _ = lanes.admit(2, host: "b", now: start)
        _ = lanes.admit(3, host: "a", now: start)
        _ = lanes.admit(4, host: "b", now: start + .seconds(1))
        _ = lanes.admit(5, host: "a", now: start + .seconds(2))
        #expect(lanes.nextExpiry() == start + .seconds(10))
        // 3 gets a's place before it expires.
        _ = lanes.finished(host: "a", started: start, timedOut: false, responded: true, now: start + .seconds(5))
        #expect(lanes.takeReady(limit: 5, now: start + .seconds(5)).map(\.waiter) == [3])
        #expect(lanes.nextExpiry() == start + .seconds(11))
        #expect(lanes.expired(now: start + .seconds(10.5)).isEmpty)
        let gone = lanes.expired(now: start + .seconds(12))
        #expect(gone.map(\.waiter) == [4, 5])
        #expect(gone.map(\.waited) == [.seconds(11), .seconds(10)])
        #expect(lanes.waitingCount == 0 && lanes.nextExpiry() == nil)
    }

    @Test("three timeouts in a row back a host off: its waiting polls leave, new ones are refused; one more after it doubles; a response ends the streak")
    func backoff() {
        var lanes = lanes(perHost: 3)
        for poll in 1...3 { #expect(lanes.admit(poll, host: "h", now: start) == .start) }
        _ = lanes.admit(4, host: "h", now: start)
        _ = lanes.admit(5, host: "h", now: start)
        let t = start + .seconds(30)
        #expect(lanes.finished(host: "h", started: start, timedOut: true, responded: false, now: t) == nil)
        #expect(lanes.finished(host: "h", started: start, timedOut: true, responded: false, now: t) == nil)
        #expect(lanes.takeReady(limit: 5, now: t).map(\.waiter) == [4, 5])
        let third = lanes.finished(host: "h", started: start + .seconds(29), timedOut: true, responded: false, now: t)
        #expect(third?.until == t + .seconds(60))
        #expect(third?.waiters == [])  // 4 and 5 took the first two places
        #expect(lanes.backedOffCount(now: t) == 1)
        #expect(lanes.admit(6, host: "h", now: t + .seconds(1)) == .backedOff(until: t + .seconds(60)))
        // Polls that started before the backoff say nothing new.
        #expect(lanes.finished(host: "h", started: start, timedOut: true, responded: false, now: t + .seconds(2)) == nil)
        #expect(lanes.finished(host: "h", started: start, timedOut: true, responded: false, now: t + .seconds(2)) == nil)
        // After the backoff: one more timeout, twice as long; waiting polls leave.
        let later = t + .seconds(61)
        for poll in 7...9 { #expect(lanes.admit(poll, host: "h", now: later) == .start) }
        #expect(lanes.admit(10, host: "h", now: later) == .wait)
        let again = lanes.finished(host: "h", started: later, timedOut: true, responded: false, now: later + .seconds(30))
        #expect(again?.until == later + .seconds(150))
        #expect(again?.waiters == [10])
        #expect(lanes.waitingCount == 0 && lanes.takeReady(limit: 5, now: later + .seconds(30)).isEmpty)
        // A response (the two still running) ends the streak: the next timeouts start from 0.
        _ = lanes.finished(host: "h", started: later, timedOut: false, responded: true, now: later + .seconds(31))
        _ = lanes.finished(host: "h", started: later, timedOut: true, responded: false, now: later + .seconds(31))
        let free = later + .seconds(200)
        for poll in 11...12 { #expect(lanes.admit(poll, host: "h", now: free) == .start) }
        for _ in 0..<2 {
            #expect(lanes.finished(host: "h", started: free, timedOut: true, responded: false, now: free + .seconds(30)) == nil)
        }
    }
}

extension HostLanes<Int>.Backoff: Equatable {
    public static func == (left: Self, right: Self) -> Bool { left.until == right.until && left.waiters == right.waiters }
}
