import EntryStore
import RedisWire
import ShardRouter

/// The move's part in a fleet of daemons: the mark that keeps daemons reading the source, and
/// the wait until every registered daemon runs the new map.
extension ShardMove {
    /// Waits until every daemon registered on the source or the target runs the map whose
    /// digest is `digest` (the file as switched), saying whom it waits for; a daemon killed
    /// meanwhile drops out when its registration expires. Past `fleetWait` the move stops,
    /// kept (nothing deleted; the same command resumes it).
    func waitForFleet(digest: String, copier: RangeCopier, quiet: Bool = false) async throws(MoveFailure) {
        let deadline = ContinuousClock.now + fleetWait
        var announced: [String] = []
        while true {
            var behind: [String: String] = [:]
            for client in [copier.source, copier.target] {
                let registrations: [DaemonRegistration]
                do {
                    registrations = try await DaemonRegistry.list { commands throws(RedisError) in try await client.pipeline(commands) }
                } catch {
                    throw .server(client.endpoint.redactedURL, error)
                }
                for registration in registrations where registration.mapDigest != digest {
                    behind[registration.name] = "\(registration.name) (map \(registration.mapDigest))"
                }
            }
            let names = behind.keys.sorted()
            if names.isEmpty {
                if !quiet || !announced.isEmpty {
                    print("fleet: every daemon registered on \(copier.source.endpoint.redactedURL) or \(copier.target.endpoint.redactedURL) runs the new map (\(digest))")
                }
                return
            }
            if names != announced {
                announced = names
                print(
                    "fleet: waiting for \(names.count) daemon\(names.count == 1 ? "" : "s") to load the new map (\(digest)): "
                        + names.compactMap { behind[$0] }.joined(separator: ", ")
                        + "; copy \(mapPath) to their machines (any config management will do): they load it within seconds")
            }
            guard ContinuousClock.now < deadline else {
                throw .busy(
                    "after \(fleetWait.components.seconds) s, \(names.joined(separator: ", ")) still run another map; nothing was "
                        + "deleted and the move is kept (\(journalPath)). Update their shards.conf, then run `\(command)` again "
                        + "(a daemon that is gone drops out when its registration expires)")
            }
            try stopIfInterrupted("while waiting for the daemons to load the new map", switched: true)
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// `HSET hubdiffer:moving FIRST-LAST SOURCE-URL` (without its password) on the target, for
    /// the move's length.
    func announce(source: ShardEndpoint, on target: RedisClient) async throws(MoveFailure) {
        let identity = source.urlWithoutPassword
        do {
            _ = try await target.pipeline([RedisCommand(["HSET".utf8Bytes, StoreKeys.moves, range.shardText.utf8Bytes, identity.utf8Bytes])])
        } catch {
            throw .server(target.endpoint.redactedURL, error)
        }
    }

    func withdrawAnnouncement(on target: RedisClient) async throws(MoveFailure) {
        do {
            _ = try await target.pipeline([RedisCommand(["HDEL".utf8Bytes, StoreKeys.moves, range.shardText.utf8Bytes])])
        } catch {
            throw .server(target.endpoint.redactedURL, error)
        }
    }
}

extension String {
    fileprivate var utf8Bytes: [UInt8] { Array(utf8) }
}
