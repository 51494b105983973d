import Testing

@testable import Scheduler

@Suite("Taking due polls")
struct PopDueTests {
    @Test("popDue returns only feeds due by now, earliest first, with URL and due time")
    func ordering() {
        var scheduler = PollScheduler(seed: 3)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(1_000), now: start)
        let halfway = start + .seconds(450)
        let early = scheduler.popDue(now: halfway, limit: .max)
        #expect((450...550).contains(early.count))
        #expect(early.allSatisfy { $0.due <= halfway && $0.reason == .clock })
        #expect(zip(early, early.dropFirst()).allSatisfy { $0.due <= $1.due })
        #expect(early.allSatisfy { $0.url == "https://feeds\($0.feed % 97).example.com/\($0.feed).xml" })
        let nextDue = scheduler.nextDue
        #expect(nextDue.map { $0 > halfway } == true)
        let rest = scheduler.popDue(now: start + .seconds(900), limit: .max)
        #expect(early.count + rest.count == 1_000)
        #expect(rest.first?.due == nextDue)
        #expect(Set(early.map(\.feed) + rest.map(\.feed)).count == 1_000)
    }

    @Test("in-flight feeds are not due again and not in nextDue until completed")
    func inFlightExclusion() {
        var scheduler = PollScheduler(seed: 3)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(3), now: start)
        let late = start + .seconds(10_000)
        let first = scheduler.popDue(now: late, limit: 2)
        #expect(first.count == 2)
        #expect(scheduler.inFlightCount == 2)
        #expect(scheduler.waitingCount == 1)
        let third = scheduler.popDue(now: late, limit: 10)
        #expect(third.count == 1)
        #expect(Set((first + third).map(\.feed)) == [1, 2, 3])
        #expect(scheduler.nextDue == nil)
        #expect(scheduler.popDue(now: late + .seconds(100_000), limit: 10).isEmpty)
        #expect(scheduler.state(of: 2) == .inFlight)

        let completion = scheduler.complete(feed: 2, verdict: .unchanged, hints: .none, now: late)
        #expect(completion.status == .rescheduled)
        #expect(scheduler.nextDue == completion.nextDue)
        #expect(scheduler.inFlightCount == 2)
        #expect(scheduler.complete(feed: 2, verdict: .unchanged, now: late).status == .notInFlight)
    }

    @Test("after a stall the backlog comes out earliest first, limit at a time")
    func backlogAfterStall() {
        var scheduler = PollScheduler(seed: 11)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(500), now: start)
        let muchLater = start + .seconds(3_600)
        var previous: ContinuousClock.Instant?
        var total = 0
        while true {
            let batch = scheduler.popDue(now: muchLater, limit: 64)
            if batch.isEmpty { break }
            #expect(batch.count <= 64)
            for poll in batch {
                if let previous { #expect(previous <= poll.due) }
                previous = poll.due
            }
            total += batch.count
        }
        #expect(total == 500)
        #expect(scheduler.popDue(now: muchLater, limit: 0).isEmpty)
    }

    @Test("rescheduling counts from the completion time and jitter spreads a burst")
    func burstDissipates() {
        var scheduler = PollScheduler(policy: SchedulePolicy(defaultInterval: .seconds(600)), seed: 2)
        let start = ContinuousClock.now
        scheduler.sync(with: makeFeeds(1_000), now: start)
        let late = start + .seconds(7_200)
        let polls = scheduler.popDue(now: late, limit: .max)
        var dues: [ContinuousClock.Instant] = []
        for poll in polls {
            let completion = scheduler.complete(feed: poll.feed, verdict: .failed, now: late)
            dues.append(completion.nextDue!)
        }
        let seconds = dues.map { ($0 - late).inSeconds }
        // The first error doubles 600 s to 1,200 s, ±10%.
        #expect(seconds.allSatisfy { (1_080...1_320).contains($0) })
        #expect(Set(seconds.map { Int($0) }).count > 200)
    }
}
