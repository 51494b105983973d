import Foundation

/// What this process knows of one shard's marker (`hubdiffer:shard`): the id it last saw and
/// whether the shard is known to have lost its data.
///
/// A marker that disappears while the process watches (FLUSHALL, a restart without persistence,
/// a replaced server) means lost data: the marker is written again with `lost_at`, and diffs of
/// feeds without a set answer ``FeedHistory/afterDataLoss``. A shard without a marker when first
/// seen cannot be told from one that lost its data before this process started; the daemon
/// decides with its own durable record of the feeds that had their first poll (the state
/// directory's journal), not with the marker: a known feed without a set is sent, not recorded.
///
/// Many diffs may read the shard before the marker this process writes is there. Reads and
/// the write are observed on the shard's queue in the order they ran, so a missing marker read
/// while the write is under way ran before it: not a loss. Only one marker is written.
struct ShardMarker: Sendable {
    enum Action: Equatable {
        case none
        /// Write the marker with this id; `lost` adds `lost_at`. Report the outcome with
        /// ``written(id:succeeded:)``.
        case create(id: String, lost: Bool)
    }

    private(set) var seenID: String?
    private(set) var lostData = false
    /// The id of a marker this process is writing, until a read returns it.
    private var pendingID: String?

    mutating func observe(id: String?, lostAt: Int64?) -> Action {
        if let id {
            if id == pendingID { pendingID = nil }
            seenID = id
            if lostAt != nil { lostData = true }
            return .none
        }
        if pendingID != nil { return .none }
        let lost = seenID != nil || lostData
        if lost { lostData = true }
        let newID = UUID().uuidString
        pendingID = newID
        return .create(id: newID, lost: lost)
    }

    /// The outcome of writing the marker `id`: once written, it is the id this process knows;
    /// when the write failed, the next read that finds no marker writes it again.
    mutating func written(id: String, succeeded: Bool) {
        guard pendingID == id else { return }
        pendingID = nil
        if succeeded { seenID = id }
    }
}

extension FeedState {
    /// The hash fields of `f:{feed}`.
    var fields: [String: String] {
        var fields: [String: String] = ["errors": String(errorCount)]
        if let etag { fields["etag"] = etag }
        if let lastModified { fields["last_modified"] = lastModified }
        if let bodyHash { fields["body_hash"] = String(bodyHash, radix: 16) }
        if let lastPoll { fields["last_poll"] = String(Int64(lastPoll.timeIntervalSince1970)) }
        if let redirectURL {
            fields["redirect_url"] = redirectURL
            fields["redirect_count"] = String(redirectCount)
        }
        if let adoptedURL, let adoptedFrom {
            fields["adopted_url"] = adoptedURL
            fields["adopted_from"] = adoptedFrom
        }
        if let peak {
            fields["peak_entries"] = String(peak.entries)
            fields["peak_at"] = String(Int64(peak.at.timeIntervalSince1970))
        }
        return fields
    }

    init(fields: [String: String]) {
        self.init(
            etag: fields["etag"], lastModified: fields["last_modified"],
            bodyHash: fields["body_hash"].flatMap { UInt64($0, radix: 16) },
            lastPoll: fields["last_poll"].flatMap(Int64.init).map { Date(timeIntervalSince1970: TimeInterval($0)) },
            errorCount: fields["errors"].flatMap(Int.init) ?? 0, redirectURL: fields["redirect_url"],
            redirectCount: fields["redirect_count"].flatMap(Int.init) ?? 0, adoptedURL: fields["adopted_url"],
            adoptedFrom: fields["adopted_from"],
            peak: fields["peak_entries"].flatMap(Int.init).flatMap { entries in
                fields["peak_at"].flatMap(Int64.init).map {
                    RetentionPeak(entries: entries, at: Date(timeIntervalSince1970: TimeInterval($0)))
                }
            })
    }
}
