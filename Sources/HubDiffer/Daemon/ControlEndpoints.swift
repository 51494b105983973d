import DaemonKit
import Foundation
import Scheduler
import Synchronization

/// The control endpoint's routes: `GET /metrics`, `GET /health`, `POST /ping`.
enum ControlEndpoints {
    static func routes(dispatcher: PollDispatcher, export: PrometheusExport, sent: Atomic<Int>.Box) -> ControlRoutes {
        var routes = ControlRoutes()
        routes.add(.get, "/metrics") { _ in export.response() }
        routes.add(.get, "/health") { _ in
            let healthy = await dispatcher.isTurning()
            let (feeds, polls, inFlight) = await (dispatcher.feedCount, dispatcher.pollsDone, dispatcher.inFlightCount)
            let body =
                "{\"status\":\"\(healthy ? "ok" : "stalled")\",\"feeds\":\(feeds),\"polls\":\(polls),"
                + "\"in_flight\":\(inFlight),\"entries_sent\":\(sent.value.load(ordering: .relaxed))}\n"
            return ControlResponse(status: healthy ? 200 : 503, contentType: "application/json", body: Array(body.utf8))
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
                return .text("\(polled) of \(targets.count) feeds known; polling them now\n", status: 202)
            }
            switch results[0] {
            case .scheduled: return .text("polling now\n", status: 202)
            case .alreadyInFlight: return .text("a poll is under way; another follows it\n", status: 202)
            case .gone: return .text("the feed answered 410 Gone and is no longer polled\n", status: 410)
            case .unknownFeed: return .text("no such feed in the feeds file\n", status: 404)
            }
        }
        return routes
    }
}
