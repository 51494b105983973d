import AsyncBridges
import DaemonKit
import Foundation
import JSONOutput
import Scheduler
import ShardRouter
import Synchronization

/// The feeds API of the control endpoint: `PUT`/`DELETE`/`GET /feeds/{id}` and
/// `GET /feeds?state=failing|gone`.
extension ControlEndpoints {
    /// Who may use the routes that change feeds (`PUT`, `DELETE`).
    public struct FeedsAccess: Sendable {
        /// The token they need; nil: none.
        public var token: BearerToken?
        /// The endpoint is published beyond loopback (`control-host` names a reverse proxy's
        /// name): without a token, changes are refused. A request a proxy forwarded
        /// (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`) counts as published whatever this says.
        public var published: Bool

        public init(token: BearerToken?, published: Bool) {
            self.token = token
            self.published = published
        }

        /// The refusal for a request that may not change feeds; nil when it may.
        func refusal(_ request: ControlRequest) -> ControlResponse? {
            if let token {
                guard token.admits(request) else {
                    return .text(
                        "send the control token: Authorization: Bearer TOKEN (hubdiffer feeds reads it from --token-file or $\(BearerToken.environmentVariable))",
                        status: 401, headers: ["WWW-Authenticate": "Bearer"])
                }
                return nil
            }
            guard !published, !Self.wasForwarded(request) else {
                return .text(
                    "changing feeds through a published endpoint needs a token: start the daemon with --control-token-file FILE (or $\(BearerToken.environmentVariable))",
                    status: 403)
            }
            return nil
        }

        /// The header fields reverse proxies add to what they forward.
        static let forwardingFields = ["Forwarded", "X-Forwarded-For", "X-Real-IP"]

        static func wasForwarded(_ request: ControlRequest) -> Bool {
            forwardingFields.contains { request.headers[$0] != nil }
        }
    }

    /// The longest page of `GET /feeds?state=…`.
    static let maximumPage = 1_000

    static func addFeedRoutes(to routes: inout ControlRoutes, dispatcher: PollDispatcher, access: FeedsAccess, owned: FeedIDRanges?) {
        // Refusals of feeds outside --feed-ids: counted each, logged at most once a minute.
        let refusalLogged = Mutex<ContinuousClock.Instant?>(nil)
        routes.add(.put, prefix: "/feeds/") { request in
            if let refusal = access.refusal(request) { return refusal }
            let feed: ScheduledFeed
            switch FeedPutRequest.feed(from: request) {
            case .success(let parsed): feed = parsed
            case .failure(let problem): return .text(problem.description, status: 400)
            }
            if let owned, !owned.contains(feed.id) {
                dispatcher.metrics.countRefusedFeeds(source: "api")
                let log = refusalLogged.withLock { last in
                    guard last.map({ ContinuousClock.now - $0 >= .seconds(60) }) ?? true else { return false }
                    last = .now
                    return true
                }
                if log {
                    dispatcher.logger.warning(
                        "refused PUT /feeds/\(feed.id): outside --feed-ids \(owned) (hubdiffer_feeds_refused_total{source=\"api\"} counts them all)",
                        metadata: ["feed": "\(feed.id)"])
                }
                return .text("feed \(feed.id) is outside this daemon's --feed-ids \(owned): add it on the daemon that owns it", status: 400)
            }
            guard await dispatcher.environment.store.map.route(feed.id) != nil else {
                return .text(
                    "feed \(feed.id) is in no range of the shard map, so its entries could not be remembered (each poll would send them all again): add a range for it (hubdiffer shards add FIRST-LAST URL) and reload the daemon first",
                    status: 400)
            }
            let applied = await dispatcher.put(feed)
            guard await applied.durable.value() else { return notDurable }
            switch applied.result {
            case .added: return .text("feed \(feed.id) added: first poll within a few seconds", status: 201)
            case .revived: return .text("feed \(feed.id) revived (it had answered 410 Gone): polling it now")
            case .changed: return .text("feed \(feed.id) changed")
            case .unchanged: return .text("feed \(feed.id) unchanged")
            }
        }
        routes.add(.delete, prefix: "/feeds/") { request in
            if let refusal = access.refusal(request) { return refusal }
            guard let id = feedID(request) else { return badID }
            guard let durable = await dispatcher.remove(feed: id) else { return unknown(id) }
            guard await durable.value() else { return notDurable }
            return .text("feed \(id) removed: no longer polled (its entries stay in its shard, so adding it again sends no backlog)")
        }
        routes.add(.get, prefix: "/feeds/") { request in
            guard let id = feedID(request) else { return badID }
            guard let status = await dispatcher.status(of: id) else { return unknown(id) }
            let store = await dispatcher.environment.store
            let (state, entries) = store.map.route(id) == nil ? (.absent, nil) : await store.inspect(feed: id)
            var json = JSONWriter()
            FeedStatusJSON.write(
                status, to: &json, stored: .init(state: state, entriesStored: entries, shard: store.map.route(id)?.endpoint))
            return .json(json.output)
        }
        routes.add(.get, "/feeds") { request in
            let trouble: PollScheduler.Trouble
            switch request.query["state"] {
            case "failing": trouble = .failing
            case "gone": trouble = .gone
            default: return .text("ask for state=failing or state=gone (and limit=N, offset=K for pages)", status: 400)
            }
            let limit = request.query["limit"].flatMap(Int.init) ?? 100
            let offset = request.query["offset"].flatMap(Int.init) ?? 0
            guard (1...maximumPage).contains(limit), offset >= 0 else {
                return .text("limit must be 1 to \(maximumPage), offset 0 or more", status: 400)
            }
            let (total, page) = await dispatcher.troubled(trouble, offset: offset, limit: limit)
            var json = JSONWriter()
            json.beginObject()
            json.field(FeedStatusField.state, request.query["state"])
            json.field(FeedStatusField.total, integer: total)
            json.field(FeedStatusField.offset, integer: offset)
            json.key(FeedStatusField.feeds)
            json.beginArray()
            for status in page { FeedStatusJSON.write(status, to: &json) }
            json.endArray()
            json.endObject()
            return .json(json.output)
        }
    }

    /// The feed ID of `/feeds/{id}`; nil when it is not one.
    static func feedID(_ request: ControlRequest) -> Int64? {
        let text = request.path.dropFirst("/feeds/".count)
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    static let badID = ControlResponse.text("the feed ID must be a number from 0 to \(Int64.max), as in /feeds/42", status: 400)
    static let notDurable = ControlResponse.text(
        "the change holds, but could not be written to the state directory (see the daemon's log): it is lost at a restart unless made again",
        status: 503)

    static func unknown(_ id: Int64) -> ControlResponse {
        .text("no such feed: \(id)", status: 404)
    }
}
