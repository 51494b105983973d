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
            let target: PollDispatcher.PingTarget
            if let feed = form["feed"] {
                guard let id = Int64(feed) else { return .text("feed must be a feed ID (digits)\n", status: 400) }
                target = .feed(id)
            } else if let url = form["hub.url"] {
                target = .url(url)
            } else {
                return .text("send hub.url=FEED_URL or feed=FEED_ID (application/x-www-form-urlencoded)\n", status: 400)
            }
            switch await dispatcher.ping(target) {
            case .scheduled: return .text("polling now\n", status: 202)
            case .alreadyInFlight: return .text("a poll is under way; another follows it\n", status: 202)
            case .gone: return .text("the feed answered 410 Gone and is no longer polled\n", status: 410)
            case .unknownFeed: return .text("no such feed in the feeds file\n", status: 404)
            }
        }
        return routes
    }
}
