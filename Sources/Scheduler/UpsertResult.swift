/// What `PollScheduler.upsert(_:now:)` or `PollScheduler.put(_:now:)` did.
public enum UpsertResult: Sendable, Equatable {
    /// The feed was new; it is scheduled.
    case added
    /// Its URL or pinned interval changed; its due time stays.
    case changed
    /// It was already scheduled exactly so.
    case unchanged
    /// It had answered 410 Gone; `put` scheduled it again, due now.
    case revived
}
