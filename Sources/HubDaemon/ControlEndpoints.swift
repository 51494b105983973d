import Delivery
import JSONOutput
import DaemonKit
import Foundation
import Scheduler
import ShardRouter
import Synchronization

/// The control endpoint's routes: `GET /metrics`, `GET /health`, `POST /ping`, and the feeds
/// API (`ControlEndpoints+Feeds.swift`).
public enum ControlEndpoints {
    /// What `/health` says of the sink.
    public struct SinkView: Sendable {
        public let name: String
        public let health: SinkHealth
        /// How long it may refuse everything before the daemon is unhealthy (and exits).
        public let grace: Duration
    }

    public static func routes(
        dispatcher: PollDispatcher, export: PrometheusExport, sent: Atomic<Int>.Box, sink: SinkView, feedsAccess: FeedsAccess,
        owned: FeedIDRanges? = nil
    ) -> ControlRoutes {
        var routes = ControlRoutes()
        addFeedRoutes(to: &routes, dispatcher: dispatcher, access: feedsAccess, owned: owned)
        routes.add(.get, "/metrics") { _ in export.response() }
        routes.add(.get, "/health") { _ in
            let turning = await dispatcher.isTurning()
            let (feeds, polls, inFlight) = await (dispatcher.feedCount, dispatcher.pollsDone, dispatcher.inFlightCount)
            let lastPoll = await dispatcher.lastPollEnded.map { (ContinuousClock.now - $0).components.seconds }
            let refusal = sink.health.refusal()
            let sinkFailing = refusal.map { $0.duration > sink.grace } ?? false
            let fetcherFailures = await dispatcher.fetcherFailures
            let status = !turning ? "stalled" : !fetcherFailures.isEmpty ? "fetcher_failed" : sinkFailing ? "sink_failing" : "ok"
            var json = JSONWriter()
            json.beginObject()
            json.field("status", status)
            json.field("feeds", integer: feeds)
            json.field("polls", integer: polls)
            json.field("in_flight", integer: inFlight)
            json.field("entries_sent", integer: sent.value.load(ordering: .relaxed))
            json.field("last_poll_age_seconds", integer: lastPoll)
            if let reason = fetcherFailures.first { json.field("fetcher_failure", reason) }
            json.key("sink")
            json.beginObject()
            json.field("name", sink.name)
            json.field("state", refusal == nil ? "ok" : "refusing")
            if let refusal {
                json.field("refusing_seconds", integer: refusal.duration.components.seconds)
                json.field("refused_batches", integer: refusal.batches)
            }
            json.endObject()
            json.endObject()
            return .json(json.output, status: status == "ok" ? 200 : 503)
        }
        routes.add(.post, "/ping") { request in
            let form: FormFields
            do {
                form = try request.body.isEmpty ? request.query : request.formFields()
            } catch {
                return .text("cannot read the form: \(error)\n", status: 400)
            }
            // Several `feed=` fields ping several feeds (a hub's batch of pings).
            let targets: [PollDispatcher.PingTarget]
            let feeds = form.values("feed")
            if !feeds.isEmpty {
                let ids = feeds.compactMap { Int64($0) }
                guard ids.count == feeds.count else { return .text("feed must be a feed ID (digits)\n", status: 400) }
                targets = ids.map { .feed($0) }
            } else if let url = form["hub.url"] {
                targets = [.url(url)]
            } else {
                return .text("send hub.url=FEED_URL or feed=FEED_ID (application/x-www-form-urlencoded)\n", status: 400)
            }
            var results: [PingResult] = []
            for target in targets { results.append(await dispatcher.ping(target)) }
            if targets.count > 1 {
                let polled = results.count { if case .unknownFeed = $0 { false } else { true } }
                return .text("\(polled) of \(targets.count) feeds known; polling them soon\n", status: 202)
            }
            switch results[0] {
            case .scheduled(let due):
                let wait = max(0, Int((due - .now) / .seconds(1)))
                return .text(wait == 0 ? "polling now\n" : "polling in \(wait) s\n", status: 202)
            case .alreadyInFlight: return .text("a poll is under way; another follows it\n", status: 202)
            case .coalesced: return .text("merged into a poll already pending\n", status: 202)
            case .gone: return .text("the feed answered 410 Gone and is no longer polled\n", status: 410)
            case .unknownFeed: return .text("no such feed\n", status: 404)
            }
        }
        return routes
    }
}
