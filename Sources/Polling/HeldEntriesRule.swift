import EntryStore
import FeedMemory

/// What one poll does with a document, given what the store read of the feed's set and what
/// the daemon holds of it (``UnconfirmedEntries``). Pure: ``FeedPoll`` applies it.
///
/// - A first poll (`firstPoll`, nothing held) of a feed without a set: the document is the
///   backlog, recorded and not sent — for sure when the store says there is no set, tentatively
///   while it cannot say.
/// - A set: the feed was known after all; what was handled is left out, tentative keys the set
///   lacks are news.
/// - The set unread: everything held is left out.
/// - No set: for a feed without a first poll, the tentative keys were its backlog; one that had
///   it lost its set, and everything not sent goes out.
public struct HeldEntriesRule {
    /// The document is a first poll's backlog: nothing is sent.
    private(set) var recordedBacklog = false
    /// Keys not to send even when the set lacks them.
    private(set) var excluded: Set<UInt64> = []
    /// What to hold when the mark does not land (this poll's sent keys are added by the caller).
    public var holding: UnconfirmedEntries.Held

    public init(firstPoll: Bool, held: UnconfirmedEntries.Held, history: FeedHistory, keys: [UInt64]) {
        holding = held
        if firstPoll && held.count == 0 && history != .known {
            recordedBacklog = true
            if history == .unknown { holding.tentative = Set(keys) } else { holding.handled = Set(keys) }
            return
        }
        switch history {
        case .known:
            excluded = held.handled
            holding.tentative = []
        case .unknown:
            excluded = held.handled.union(held.tentative)
        case .new, .afterDataLoss:
            excluded = firstPoll ? held.handled.union(held.tentative) : held.handled
            if firstPoll { holding.handled.formUnion(held.tentative) }
            holding.tentative = []
        }
    }
}
