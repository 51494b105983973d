import EntryStore
import Foundation
import JSONOutput
import ShardRouter

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
        json.field("id", integer: standing.id)
        json.field("url", standing.url)
        if let stored {
            let state: FeedState? = if case .present(let state) = stored.state { state } else { nil }
            json.field("polled_url", state?.adoptedURL ?? standing.url)
            write(status, core: &json)
            json.field("etag", state?.etag)
            json.field("last_modified", state?.lastModified)
            json.field("shard", stored.shard?.redactedURL)
            json.field("entries_stored", integer: stored.entriesStored)
            if case .unreadable = stored.state { json.field("shard_error", "the feed's shard could not be read: etag, last_modified, polled_url and entries_stored are unknown") }
        } else {
            write(status, core: &json)
        }
        json.endObject()
    }

    private static func write(_ status: PollDispatcher.FeedStatus, core json: inout JSONWriter) {
        json.field("state", status.state)
        json.field("interval_seconds", integer: status.standing.interval.components.seconds)
        json.field("interval_pinned", bool: status.standing.isPinned)
        json.field("next_poll", time(status.nextPoll))
        json.field("last_poll", time(status.lastPoll))
        json.field("last_outcome", status.lastOutcome)
        json.field("last_error", status.lastError)
        json.field("consecutive_errors", integer: status.standing.consecutiveErrors)
        json.field("last_new_entry", time(status.lastNewEntry))
    }

    static func time(_ date: Date?) -> String? {
        date?.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
