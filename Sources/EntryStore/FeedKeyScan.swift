import RedisWire

/// The feed keys on one Redis server, found with `SCAN` (which does not block the server but
/// reads every key name): from cursor 0, 1,000 keys a round trip, until the cursor comes back
/// to 0. `shards list --count` scans for sets of seen entries, `shards move` for every key of
/// a range.
public enum FeedKeyScan {
    /// Every feed key on the server (or only the sets of seen entries), each once: `SCAN`
    /// may return a key twice.
    ///
    /// - Parameters:
    ///   - send: runs one command and returns its reply (an error reply thrown as `Failure`).
    ///   - malformed: what to throw when a reply is not `[cursor, keys]`.
    public static func keys<Failure: Error>(
        entriesOnly: Bool, send: (RedisCommand) async throws(Failure) -> RedisReply, malformed: Failure
    ) async throws(Failure) -> Set<StoreKeys.FeedKey> {
        var found = Set<StoreKeys.FeedKey>()
        var cursor = "0"
        repeat {
            let command =
                entriesOnly
                ? RedisCommand("SCAN", cursor, "MATCH", StoreKeys.entriesPattern, "COUNT", "1000")
                : RedisCommand("SCAN", cursor, "COUNT", "1000")
            guard case .array(let parts?) = try await send(command), parts.count == 2, let next = parts[0].text,
                case .array(let names?) = parts[1]
            else { throw malformed }
            for name in names {
                guard case .bulk(let bytes?) = name, let key = StoreKeys.feedKey(bytes) else { continue }
                if !entriesOnly || key == .entries(key.feed) { found.insert(key) }
            }
            cursor = next
        } while cursor != "0"
        return found
    }
}
