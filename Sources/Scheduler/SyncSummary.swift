/// What one `PollScheduler.sync(with:now:)` changed.
public struct SyncSummary: Sendable, Equatable {
    /// Feeds that were not scheduled before.
    public var added = 0
    /// Feeds no longer in the list, now forgotten.
    public var removed = 0
    /// Feeds whose URL or pinned interval changed.
    public var changed = 0
    /// Feeds that were already scheduled exactly so.
    public var unchanged = 0
    /// Later occurrences of an ID already seen in the same list; ignored (the first wins).
    public var duplicates = 0

    /// A summary; every count left out is zero.
    public init(added: Int = 0, removed: Int = 0, changed: Int = 0, unchanged: Int = 0, duplicates: Int = 0) {
        self.added = added
        self.removed = removed
        self.changed = changed
        self.unchanged = unchanged
        self.duplicates = duplicates
    }
}
