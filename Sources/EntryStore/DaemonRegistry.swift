import Foundation
import RedisWire
import ShardRouter

/// Daemons' registrations on the shards (``DaemonRegistration``): written by each daemon every
/// few seconds with a time to live, read by `hubdiffer shards daemons` and `shards move`.
///
/// Each server holds one hash per daemon (`hubdiffer:daemon:{name}`, with `PEXPIRE`: a daemon
/// killed with `kill -9` disappears when it expires) and an index of names
/// (`hubdiffer:daemons`, a sorted set scored by when the registration expires, by the daemon's
/// clock) so that a reader asks for a few keys instead of scanning millions. A name whose hash
/// is gone is skipped; readers drop names expired for a day (no clock is that far off, and a
/// name just published again is never dropped).
public enum DaemonRegistry {
    /// What a publish found.
    public enum Published: Sendable, Equatable {
        /// Written.
        case done
        /// Written, over a live registration of another process under the same name: two
        /// daemons were given one `--name` (or, at a daemon's first publish, the one it
        /// replaces is its own previous run's: the caller tells the two apart).
        case nameClash
        /// The server did not take it (down, or an error reply).
        case refused
    }

    /// Writes `registration` on `endpoint`, living `timeToLive`.
    public static func publish(
        _ registration: DaemonRegistration, timeToLive: Duration, on endpoint: ShardEndpoint, store: EntryStore
    ) async -> Published {
        let key = StoreKeys.daemon(registration.name)
        let milliseconds = max(1, timeToLive.components.seconds * 1000 + timeToLive.components.attoseconds / 1_000_000_000_000_000)
        let expires = Int64(Date().timeIntervalSince1970 * 1000) + milliseconds
        // One transaction: a daemon restarted under the same name leaves no field of the last.
        let commands = [
            RedisCommand(["HGET".bytes, key, DaemonRegistration.instanceField.bytes]),
            RedisCommand(["MULTI".bytes]), RedisCommand(["DEL".bytes, key]),
            RedisCommand(["HSET".bytes, key] + registration.fields.flatMap { [$0.0.bytes, $0.1.bytes] }),
            RedisCommand(["PEXPIRE".bytes, key, String(milliseconds).bytes]),
            RedisCommand(["ZADD".bytes, StoreKeys.daemons, String(expires).bytes, registration.name.bytes]),
            RedisCommand(["EXEC".bytes]),
        ]
        guard case .success(let replies) = await store.run(commands, on: endpoint), case .array(let results?)? = replies.last,
            !replies.contains(where: \.isError), !results.contains(where: \.isError)
        else { return .refused }
        if let previous = replies.first?.text, !previous.isEmpty, previous != registration.instance { return .nameClash }
        return .done
    }

    /// Removes the registration named `name` from `endpoint` (at a graceful stop, so that no
    /// move waits for a daemon that is gone).
    public static func withdraw(name: String, from endpoint: ShardEndpoint, store: EntryStore) async {
        _ = await store.run(
            [RedisCommand(["DEL".bytes, StoreKeys.daemon(name)]), RedisCommand(["ZREM".bytes, StoreKeys.daemons, name.bytes])],
            on: endpoint)
    }

    /// The daemons registered on `endpoint` now.
    public static func list(on endpoint: ShardEndpoint, store: EntryStore) async throws(RedisError) -> [DaemonRegistration] {
        try await list { commands throws(RedisError) in try await store.run(commands, on: endpoint).get() }
    }

    /// The daemons registered on the server that `send` talks to (one pipeline a call; an
    /// error reply is an error).
    public static func list(
        send: ([RedisCommand]) async throws(RedisError) -> [RedisReply]
    ) async throws(RedisError) -> [DaemonRegistration] {
        guard case .array(let members?)? = try await send([RedisCommand(["ZRANGE".bytes, StoreKeys.daemons, "0".bytes, "-1".bytes])]).first
        else { throw .server("ZRANGE answered something other than an array") }
        let names = members.compactMap(\.text)
        guard !names.isEmpty else { return [] }
        let replies = try await send(names.map { RedisCommand(["HGETALL".bytes, StoreKeys.daemon($0)]) })
        var found: [DaemonRegistration] = []
        for (name, reply) in zip(names, replies) {
            guard case .array(let fields?) = reply, !fields.isEmpty else { continue }  // expired
            var values: [String: String] = [:]
            var index = 0
            while index + 1 < fields.count {
                if let field = fields[index].text, let value = fields[index + 1].text { values[field] = value }
                index += 2
            }
            found.append(DaemonRegistration(fields: values, name: name))
        }
        let dayAgo = Int64(Date().timeIntervalSince1970 * 1000) - 86_400_000
        _ = try? await send([RedisCommand(["ZREMRANGEBYSCORE".bytes, StoreKeys.daemons, "-inf".bytes, String(dayAgo).bytes])])
        return found
    }

    /// The daemons registered on any server of `map`, each with the servers it is registered
    /// on, by name; and the servers that could not be asked.
    public static func fleet(_ map: ShardMap, store: EntryStore) async -> (daemons: [String: (DaemonRegistration, [ShardEndpoint])], unreachable: [ShardEndpoint: RedisError]) {
        var daemons: [String: (DaemonRegistration, [ShardEndpoint])] = [:]
        var unreachable: [ShardEndpoint: RedisError] = [:]
        for endpoint in map.endpoints {
            do {
                for registration in try await list(on: endpoint, store: store) {
                    daemons[registration.name, default: (registration, [])].1.append(endpoint)
                }
            } catch {
                unreachable[endpoint] = error
            }
        }
        return (daemons, unreachable)
    }
}
