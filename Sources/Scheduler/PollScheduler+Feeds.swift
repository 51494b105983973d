extension PollScheduler {
    /// Makes the schedule hold exactly `feeds` (a reload of the feeds file).
    ///
    /// New feeds are first due spread over [now, now + interval). Feeds missing from the list
    /// are forgotten, even in flight. Feeds whose URL or pinned interval changed keep their due
    /// time; a new URL resets the error count and the redirect count, frees a gone feed (it is
    /// then scheduled like a new one), and waits for the end of an in-flight poll. When an ID
    /// occurs twice, the first occurrence wins.
    @discardableResult
    public mutating func sync(with feeds: [ScheduledFeed], now: ContinuousClock.Instant) -> SyncSummary {
        let time = clock.nanoseconds(at: now)
        reserveCapacity(forNewOf: feeds)
        var summary = SyncSummary()
        for feed in feeds {
            if let slot = slots.slot(of: feed.id) {
                if records[Int(slot)].flags.contains(.seenInSync) {
                    summary.duplicates += 1
                    continue
                }
                records[Int(slot)].flags.insert(.seenInSync)
                if update(slot, to: feed, time: time) { summary.changed += 1 } else { summary.unchanged += 1 }
            } else {
                let slot = insertNew(feed, time: time)
                records[Int(slot)].flags.insert(.seenInSync)
                summary.added += 1
            }
        }
        for index in records.indices where records[index].flags.contains(.occupied) {
            if records[index].flags.contains(.seenInSync) {
                records[index].flags.remove(.seenInSync)
            } else {
                removeSlot(Int32(index))
                summary.removed += 1
            }
        }
        compactURLsIfWorthIt()
        return summary
    }

    /// Adds one feed, or updates a known one as `sync` would (keeping its due time).
    @discardableResult
    public mutating func upsert(_ feed: ScheduledFeed, now: ContinuousClock.Instant) -> UpsertResult {
        let time = clock.nanoseconds(at: now)
        if let slot = slots.slot(of: feed.id) {
            let changed = update(slot, to: feed, time: time)
            compactURLsIfWorthIt()
            return changed ? .changed : .unchanged
        }
        insertNew(feed, time: time)
        return .added
    }

    /// A feed added or changed at run time (the control endpoint's `PUT /feeds/{id}`): like
    /// `upsert`, except that someone is waiting to see it polled. A new feed is due now (not
    /// spread over its interval), a new URL is due now (once an in-flight poll ends), and a
    /// gone feed is scheduled again, due now (`.revived`), even with the same URL.
    @discardableResult
    public mutating func put(_ feed: ScheduledFeed, now: ContinuousClock.Instant) -> UpsertResult {
        let time = clock.nanoseconds(at: now)
        guard let slot = slots.slot(of: feed.id) else {
            insertNew(feed, time: time, firstDue: .now)
            return .added
        }
        let wasGone = records[Int(slot)].flags.contains(.gone)
        let urlChanged = url(of: feed.id) != feed.url
        let changed = update(slot, to: feed, time: time)  // a new URL frees a gone feed
        compactURLsIfWorthIt()
        if records[Int(slot)].flags.contains(.gone) {
            records[Int(slot)].flags.remove(.gone)
            records[Int(slot)].consecutiveErrors = 0
            goneCount -= 1
        }
        // Waiting (not in flight): due now when it was gone or its URL changed.
        if wasGone || urlChanged, !records[Int(slot)].flags.contains(.inFlight) { heap.update(slot, due: time) }
        return wasGone ? .revived : changed ? .changed : .unchanged
    }

    /// Forgets one feed, even in flight (its completion will be ignored); false when unknown.
    @discardableResult
    public mutating func remove(feed: Int64) -> Bool {
        guard let slot = slots.slot(of: feed) else { return false }
        removeSlot(slot)
        compactURLsIfWorthIt()
        return true
    }

    // MARK: - Shared with completion

    /// Replaces the stored URL of `slot` and forgets anything tied to the old one.
    mutating func replaceURL(_ slot: Int32, with url: String) {
        urls.discard(length: records[Int(slot)].urlLength)
        let (offset, length) = urls.store(url)
        records[Int(slot)].urlOffset = offset
        records[Int(slot)].urlLength = length
        redirectStreaks[slot] = nil
    }

    mutating func compactURLsIfWorthIt() {
        if urls.wantsCompaction { urls.compact(&records) }
    }

    // MARK: - Private

    /// Reserves room for the feeds of `feeds` that are not known yet, so a big reload
    /// allocates each array once and exactly.
    private mutating func reserveCapacity(forNewOf feeds: [ScheduledFeed]) {
        var newFeeds = 0
        var newBytes = 0
        for feed in feeds where slots.slot(of: feed.id) == nil {
            newFeeds += 1
            newBytes += feed.url.utf8.count
        }
        guard newFeeds > 0 else { return }
        slots.reserveCapacity(slots.count + newFeeds)
        let slotCount = max(slots.slotCount, slots.count + newFeeds)
        if slotCount > records.count {
            records.reserveCapacity(slotCount)
            lastPolls.reserveCapacity(slotCount)
        }
        heap.reserveCapacity(heap.count + newFeeds, slotCount: slotCount)
        urls.reserveCapacity(adding: newBytes)
    }

    /// When a feed new to the schedule is first due.
    enum FirstDue { case spread, now }

    @discardableResult
    private mutating func insertNew(_ feed: ScheduledFeed, time: Int64, firstDue: FirstDue = .spread) -> Int32 {
        let slot = slots.insert(feed.id)
        let (offset, length) = urls.store(feed.url)
        var flags: FeedFlags = .occupied
        if feed.interval != nil { flags.insert(.pinned) }
        let record = FeedRecord(
            interval: rules.initialInterval(pinned: feed.interval), urlOffset: offset, urlLength: length,
            consecutiveErrors: 0, flags: flags)
        if Int(slot) == records.count {
            records.append(record)
            lastPolls.append(.never)
        } else {
            records[Int(slot)] = record
            lastPolls[Int(slot)] = .never
        }
        switch firstDue {
        case .spread: scheduleLikeNew(slot, time: time)
        case .now: heap.insert(slot, due: time)
        }
        return slot
    }

    /// Puts `slot` in the heap at a spread point of its interval from `time`.
    private mutating func scheduleLikeNew(_ slot: Int32, time: Int64) {
        let offset = rules.firstDueOffset(
            interval: records[Int(slot)].interval, fraction: spread.nextFraction())
        heap.insert(slot, due: time.saturatingAdding(offset))
    }

    /// Applies a feeds-file line to a known feed; true when anything changed.
    private mutating func update(_ slot: Int32, to feed: ScheduledFeed, time: Int64) -> Bool {
        var changed = false
        let wasPinned = records[Int(slot)].flags.contains(.pinned)
        if let pinned = feed.interval {
            let interval = rules.clamped(pinned.saturatingNanoseconds)
            if !wasPinned || records[Int(slot)].interval != interval {
                records[Int(slot)].interval = interval
                records[Int(slot)].flags.insert(.pinned)
                changed = true
            }
        } else if wasPinned {
            records[Int(slot)].flags.remove(.pinned)  // adapts from the interval it had
            changed = true
        }

        let record = records[Int(slot)]
        if record.flags.contains(.inFlight) {
            let current = deferredURLs[slot] ?? storedURL(slot)
            if current != feed.url {
                let isOriginal = urls.matches(feed.url, offset: record.urlOffset, length: record.urlLength)
                deferredURLs[slot] = isOriginal ? nil : feed.url
                changed = true
            }
        } else if !urls.matches(feed.url, offset: record.urlOffset, length: record.urlLength) {
            replaceURL(slot, with: feed.url)
            records[Int(slot)].consecutiveErrors = 0
            records[Int(slot)].flags.remove([.throttled])
            if records[Int(slot)].flags.contains(.gone) {
                records[Int(slot)].flags.remove(.gone)
                goneCount -= 1
                scheduleLikeNew(slot, time: time)
            }
            changed = true
        }
        return changed
    }

    private mutating func removeSlot(_ slot: Int32) {
        let record = records[Int(slot)]
        if record.flags.contains(.inFlight) { inFlightCount -= 1 }
        if record.flags.contains(.gone) { goneCount -= 1 }
        heap.remove(slot)
        urls.discard(length: record.urlLength)
        records[Int(slot)] = .vacant
        lastPolls[Int(slot)] = .never
        deferredURLs[slot] = nil
        redirectStreaks[slot] = nil
        pingWindows.forget(slot)
        slots.remove(slots.ids[Int(slot)])
    }
}
