import AsyncBridges
import EntryStore
import Fetcher
import Foundation
import Logging
import ServiceLifecycle
import ShardRouter

// The daemon's part in a fleet of daemons sharing one shard map: it makes itself known on
// every server of its map, and notices a changed map file on its own.

/// Keeps this daemon's registration (``DaemonRegistration``) on every server of its map (and,
/// during a map's handover, of the one before), refreshed every `interval` and living three;
/// withdrawn at a graceful stop.
struct RegistrationService: Service {
    let dispatcher: PollDispatcher
    let name: String
    let started: Date
    let feedIDs: FeedIDRanges?
    let interval: Duration
    let logger: Logger

    func run() async {
        var refusing: Set<ShardEndpoint> = []
        var clashSaid = false
        // A clash counts only on a server this process wrote before: at the first publish the
        // registration replaced may be this daemon's previous run's (a restart under --name).
        var written: Set<ShardEndpoint> = []
        let instance = String(UInt64.random(in: 0 ... .max), radix: 36)
        var published: (digest: String, at: ContinuousClock.Instant)?
        let step = min(interval, .seconds(1))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let store = await dispatcher.environment.store
            // A move under way to a server of the map keeps the handover going.
            if let handover = store.handover, handover.isActive, await store.moveUnderWay() {
                handover.extend(to: .now + ShardMapReloader.handover)
            }
            // At every interval, and at once when the map changed (a move waits for it).
            if let published, published.digest == store.map.digest, ContinuousClock.now - published.at < interval {
                guard await sleepUnlessShutdown(step) else { break }
                continue
            }
            let registration = DaemonRegistration(
                name: name, version: HubDifferVersion.current, started: started, feeds: await dispatcher.feedCount,
                mapDigest: store.map.digest, feedIDs: feedIDs?.description, instance: instance)
            for server in store.servers {
                let published = await DaemonRegistry.publish(registration, timeToLive: interval * 3, on: server, store: store)
                let done = published != .refused
                if published == .nameClash, written.contains(server), !clashSaid {
                    clashSaid = true
                    logger.error(
                        "another running daemon registers as \(name) too: give each daemon its own --name, or `hubdiffer shards move` sees only one of them",
                        metadata: ["shard": "\(server.redactedURL)"])
                }
                if done { written.insert(server) }
                if !done, refusing.insert(server).inserted {
                    logger.warning(
                        "cannot register on \(server.redactedURL): `hubdiffer shards move` will not see this daemon there",
                        metadata: ["shard": "\(server.redactedURL)"])
                } else if done, refusing.remove(server) != nil {
                    logger.notice("registered on \(server.redactedURL) again", metadata: ["shard": "\(server.redactedURL)"])
                }
            }
            published = (registration.mapDigest, ContinuousClock.now)
            guard await sleepUnlessShutdown(step) else { break }
        }
        let store = await dispatcher.environment.store
        for server in store.servers { await DaemonRegistry.withdraw(name: name, from: server, store: store) }
    }

    /// `HOST:PID`, the default name.
    static var defaultName: String {
        "\(ProcessInfo.processInfo.hostName):\(getpid())"
    }
}

/// Reads the shard map file every `interval` (off the cooperative pool: it may sit on a
/// network mount, and symbolic links are followed) and has it loaded, as SIGHUP does, once a
/// content other than the one last loaded has been read twice in a row: a file still being
/// written in place is not taken half-way. The reloader owns what was last loaded (by this
/// watch or by SIGHUP), so the two never disagree; a broken file is refused with one line per
/// version of it, and the map in use stays.
struct MapWatchService: Service {
    let path: String
    let interval: Duration
    let reloader: ShardMapReloader

    func run() async {
        var candidate: [UInt8]?
        while await sleepUnlessShutdown(interval) {
            let path = self.path
            let content = await BlockingWork.run { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }
            guard let content, content != (await reloader.loadedContent) else {
                candidate = nil
                continue
            }
            guard content == candidate else {
                candidate = content  // read it once more before loading
                continue
            }
            candidate = nil
            await reloader.reload(content: content)
        }
    }
}
