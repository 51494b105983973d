extension PollScheduler {
    /// Takes up to `limit` feeds due at or before `now`, earliest first. They are in flight
    /// until `complete` reports on them: not due again, not in `nextDue`.
    public mutating func popDue(now: ContinuousClock.Instant, limit: Int) -> [DuePoll] {
        guard limit > 0, !heap.isEmpty else { return [] }
        let time = clock.nanoseconds(at: now)
        var polls: [DuePoll] = []
        while polls.count < limit, let first = heap.first, first.due <= time {
            heap.popFirst()
            let slot = Int(first.slot)
            let reason: DuePoll.Reason = records[slot].flags.contains(.dueByPing) ? .ping : .clock
            if reason == .ping { pingWindows.open(first.slot, at: time) }
            records[slot].flags.remove([.dueByPing, .throttled])
            records[slot].flags.insert(.inFlight)
            inFlightCount += 1
            polls.append(
                DuePoll(
                    feed: slots.ids[slot], url: storedURL(first.slot), due: clock.instant(at: first.due),
                    reason: reason))
        }
        return polls
    }

    /// A publisher's ping: the feed should be polled now, or as soon as its ping window allows.
    ///
    /// A waiting feed becomes due now, or at the end of its ping window (`pingInterval` after
    /// its last ping-triggered poll started), or stays due earlier; a throttled one keeps its
    /// Retry-After time; a feed in flight is polled once more when its poll completes, no
    /// sooner than its window allows; a ping while such a poll is already pending is merged
    /// into it (`.coalesced`); a gone feed is left alone.
    public mutating func pollSoon(feed: Int64, now: ContinuousClock.Instant) -> PingResult {
        let time = clock.nanoseconds(at: now)
        guard let slot = slots.slot(of: feed) else { return .unknownFeed }
        let flags = records[Int(slot)].flags
        if flags.contains(.gone) { return .gone }
        if flags.contains(.inFlight) {
            if flags.contains(.pendingPing) { return .coalesced }
            records[Int(slot)].flags.insert(.pendingPing)
            return .alreadyInFlight
        }
        if flags.contains(.dueByPing) { return .coalesced }
        records[Int(slot)].flags.insert(.dueByPing)
        let current = heap.due(of: slot) ?? time
        let earliest = pingWindows.earliestPoll(of: slot, at: time)
        let due = flags.contains(.throttled) ? current : min(current, earliest)
        heap.update(slot, due: due)
        return .scheduled(due: clock.instant(at: due))
    }

    /// Reports a finished poll and reschedules the feed (see `PollScheduler` for the rules).
    ///
    /// Ignored, with `.unknownFeed` or `.notInFlight`, when the feed was removed meanwhile or
    /// was not being polled.
    @discardableResult
    public mutating func complete(
        feed: Int64, verdict: PollVerdict, hints: PollHints = .none, now: ContinuousClock.Instant
    ) -> Completion {
        let time = clock.nanoseconds(at: now)
        guard let slot = slots.slot(of: feed) else { return Completion(status: .unknownFeed) }
        let index = Int(slot)
        guard records[index].flags.contains(.inFlight) else { return Completion(status: .notInFlight) }
        let pinged = records[index].flags.contains(.pendingPing)
        records[index].flags.remove([.inFlight, .pendingPing, .throttled, .dueByPing])
        inFlightCount -= 1

        if let newURL = deferredURLs.removeValue(forKey: slot) {
            // The verdict was about the old URL; the new one gets a fresh start, now.
            replaceURL(slot, with: newURL)
            records[index].consecutiveErrors = 0
            compactURLsIfWorthIt()
            return reschedule(slot, at: time, byPing: pinged)
        }

        let adoptedURL = countRedirect(slot, to: hints.permanentRedirect)
        if adoptedURL != nil { compactURLsIfWorthIt() }
        let record = records[index]
        var delay: Int64
        switch verdict {
        case .gone:
            records[index].flags.insert(.gone)
            records[index].consecutiveErrors = 0
            goneCount += 1
            return Completion(status: .gone, adoptedURL: adoptedURL)
        case .notModified, .unchanged, .changed, .undetermined:
            records[index].consecutiveErrors = 0
            if !record.flags.contains(.pinned) {
                records[index].interval = rules.adaptedInterval(record.interval, after: verdict, hints: hints)
            }
            delay = rules.successDelay(
                interval: records[index].interval, hints: hints, unit: random.nextUnit())
        case .failed, .throttled(retryAfter: nil):
            let errors =
                record.consecutiveErrors == .max ? record.consecutiveErrors : record.consecutiveErrors + 1
            records[index].consecutiveErrors = errors
            delay = rules.backoffDelay(
                interval: record.interval, errors: Int(errors), unit: random.nextUnit())
        case .deferred(let retryAfter):
            delay = rules.retryAfterDelay(retryAfter, unit: random.nextUnit())
        case .throttled(retryAfter: let retryAfter?):
            records[index].consecutiveErrors =
                record.consecutiveErrors == .max ? .max : record.consecutiveErrors + 1
            delay = rules.retryAfterDelay(retryAfter, unit: random.nextUnit())
        }
        if case .throttled = verdict {
            records[index].flags.insert(.throttled)  // a ping waits for the throttle to pass
        } else if pinged {
            delay = pingWindows.earliestPoll(of: slot, at: time) - time
        }
        return reschedule(slot, at: time.saturatingAdding(delay), byPing: pinged, adoptedURL: adoptedURL)
    }

    private mutating func reschedule(
        _ slot: Int32, at due: Int64, byPing: Bool, adoptedURL: String? = nil
    ) -> Completion {
        if byPing { records[Int(slot)].flags.insert(.dueByPing) }
        heap.insert(slot, due: due)
        return Completion(status: .rescheduled, nextDue: clock.instant(at: due), adoptedURL: adoptedURL)
    }

    /// Counts a permanent redirect seen on this poll; returns the new URL when it is adopted.
    private mutating func countRedirect(_ slot: Int32, to target: String?) -> String? {
        let record = records[Int(slot)]
        guard let target, !target.isEmpty,
            !urls.matches(target, offset: record.urlOffset, length: record.urlLength)
        else {
            redirectStreaks[slot] = nil
            return nil
        }
        var streak = redirectStreaks[slot] ?? RedirectStreak(target: target, count: 0)
        if streak.target != target { streak = RedirectStreak(target: target, count: 0) }
        streak.count += 1
        guard streak.count >= rules.redirectsToAdopt else {
            redirectStreaks[slot] = streak
            return nil
        }
        replaceURL(slot, with: target)  // also clears the streak
        return target
    }
}
