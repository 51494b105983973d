import EntryStore
import Foundation
import JSONOutput
import ShardRouter

/// The field names of the feeds API's JSON objects (`GET /feeds/{id}`, `GET /feeds?state=…`),
/// for the daemon that writes them and `hubdiffer feeds` that reads them.
public enum FeedStatusField {
    public static let id = "id"
    public static let url = "url"
    public static let polledUrl = "polled_url"
    public static let state = "state"
    public static let intervalSeconds = "interval_seconds"
    public static let intervalPinned = "interval_pinned"
    public static let nextPoll = "next_poll"
    public static let lastPoll = "last_poll"
    public static let lastOutcome = "last_outcome"
    public static let lastOutcomeDetail = "last_outcome_detail"
    public static let lastError = "last_error"
    public static let consecutiveErrors = "consecutive_errors"
    public static let lastNewEntry = "last_new_entry"
    public static let etag = "etag"
    public static let lastModified = "last_modified"
    public static let shard = "shard"
    public static let entriesStored = "entries_stored"
    public static let shardError = "shard_error"
    /// A page's fields: which state was asked for, how many feeds are in it, the page's start
    /// and its feeds.
    public static let total = "total"
    public static let offset = "offset"
    public static let feeds = "feeds"
}

/// The JSON objects of `GET /feeds/{id}` and `GET /feeds?state=…`: one owner for their field
/// names. Times are RFC 3339 in UTC (`2026-12-02T15:20:54Z`), null when unknown.
enum FeedStatusJSON {
    /// What the feed's shard holds of it (`GET /feeds/{id}` only).
    struct Stored {
        var state: EntryStore.StateRead
        var entriesStored: Int?
        var shard: ShardEndpoint?
    }

    /// The fields every listing has.
    static func write(_ status: PollDispatcher.FeedStatus, to json: inout JSONWriter, stored: Stored? = nil) {
        let standing = status.standing
        json.beginObject()
        json.field(FeedStatusField.id, integer: standing.id)
        json.field(FeedStatusField.url, standing.url)
        if let stored {
            let state: FeedState? = if case .present(let state) = stored.state { state } else { nil }
            json.field(FeedStatusField.polledUrl, state?.adoptedURL ?? standing.url)
            write(status, core: &json)
            json.field(FeedStatusField.etag, state?.etag)
            json.field(FeedStatusField.lastModified, state?.lastModified)
            json.field(FeedStatusField.shard, stored.shard?.redactedURL)
            json.field(FeedStatusField.entriesStored, integer: stored.entriesStored)
            if case .unreadable = stored.state { json.field(FeedStatusField.shardError, "the feed's shard could not be read: etag, last_modified, polled_url and entries_stored are unknown") }
        } else {
            write(status, core: &json)
        }
        json.endObject()
    }

    private static func write(_ status: PollDispatcher.FeedStatus, core json: inout JSONWriter) {
        json.field(FeedStatusField.state, status.state)
        json.field(FeedStatusField.intervalSeconds, integer: status.standing.interval.components.seconds)
        json.field(FeedStatusField.intervalPinned, bool: status.standing.isPinned)
        json.field(FeedStatusField.nextPoll, time(status.nextPoll))
        json.field(FeedStatusField.lastPoll, time(status.lastPoll))
        json.field(FeedStatusField.lastOutcome, status.lastOutcome.map(PollDispatcher.outcomeCategory))
        json.field(FeedStatusField.lastOutcomeDetail, status.lastOutcome)
        json.field(FeedStatusField.lastError, status.lastError)
        json.field(FeedStatusField.consecutiveErrors, integer: status.standing.consecutiveErrors)
        json.field(FeedStatusField.lastNewEntry, time(status.lastNewEntry))
    }

    static func time(_ date: Date?) -> String? {
        date?.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
