import Foundation
import Logging
import Polling
import Fetcher
import Scheduler

/// What a poll's report means for the scheduler and for `hubdiffer_polls_total{outcome}`.
extension PollDispatcher {
    /// What the scheduler is told, and the `outcome` label of `hubdiffer_polls_total`.
    public static func verdict(_ report: FeedPoll.Report) -> (PollVerdict, String) {
        switch report.outcome {
        case .notModified: return (.notModified, "not_modified")
        case .unchanged: return (.unchanged, "unchanged")
        case .fetched(let newCount, _):
            if newCount > 0 && !report.delivered { return (.failed, "sink_failed") }
            if report.recordedBacklog { return (.unchanged, "first_poll") }
            // What was new could not be told: the interval stays.
            if report.history == .unknown { return (.undetermined, "store_unavailable") }
            return newCount > 0 ? (.changed(newEntries: newCount), "changed") : (.unchanged, "unchanged")
        case .notAFeed:
            switch report.parseError {
            case .timeBudgetExceeded: return (.failed, "parse_timeout")
            case let error? where error.isHostile: return (.failed, "hostile_document")
            default: return (.failed, "not_a_feed")
            }
        case .gone: return (.gone, "gone")
        case .throttled(let delay): return (.throttled(retryAfter: delay), "throttled")
        case .failed(.hostBusy): return (.deferred(retryAfter: .zero), "host_busy")
        // Stopped with the daemon: not the feed's fault, and the process ends anyway.
        case .failed(.cancelled): return (.deferred(retryAfter: .zero), "cancelled")
        case .failed(let failure): return (.failed, Self.label(failure))
        }
    }

    public static func label(_ failure: FetchFailure) -> String {
        switch failure {
        case .refusedScheme: "error_refused_scheme"
        case .refusedAddress: "error_refused_address"
        case .bodyTooLarge: "error_too_large"
        case .tooManyRedirects: "error_redirects"
        case .timeout: "error_timeout"
        case .http: "error_http"
        case .badURL: "error_bad_url"
        case .headerTooLarge: "error_header_too_large"
        case .bodyOverBudget: "error_over_budget"
        case .hostBusy: "host_busy"
        case .certificate(let problem, _): "error_certificate_\(problem.rawValue)"
        case .caFileUnusable: "error_ca_file"
        case .network: "error_network"
        case .cancelled: "cancelled"
        }
    }

    /// What a poll's outcome label means in the few words of `GET /feeds/{id}`'s
    /// `last_outcome`: not_modified, unchanged, new_entries, first_poll, undetermined (read,
    /// but the shard could not tell what was new), not_a_feed, throttled, gone, deferred (not
    /// polled: its host was busy or backed off, or the daemon stopped) or failed (the label
    /// says how, in `last_outcome_detail`).
    static func outcomeCategory(_ label: String) -> String {
        switch label {
        case "not_modified", "unchanged", "first_poll", "not_a_feed", "throttled", "gone": label
        case "changed": "new_entries"
        case "store_unavailable": "undetermined"
        case "parse_timeout", "hostile_document": "not_a_feed"
        case "host_busy", "host_backoff", "cancelled": "deferred"
        default: "failed"
        }
    }

    /// The one-line reason a poll failed (kept for `GET /feeds/{id}` while the feed fails);
    /// nil for a poll that did not fail.
    static func problem(_ report: FeedPoll.Report) -> String? {
        switch report.outcome {
        case .notAFeed(let why): "not a feed: \(why)"
        case .failed(.hostBusy), .failed(.cancelled): nil
        case .failed(let failure): "\(failure)"
        case .throttled(let delay?): "throttled: HTTP \(report.fetch.status), Retry-After \(delay.components.seconds) s"
        case .throttled(nil): "throttled: HTTP \(report.fetch.status)"
        case .fetched(let newCount, _) where newCount > 0 && !report.delivered:
            "the sink did not take \(newCount) new entries"
        default: nil
        }
    }

    /// The one log line of a poll's end (and of a redirect adopted).
    func log(_ poll: DuePoll, _ report: FeedPoll.Report, label: String, completion: Completion) {
        var metadata: Logger.Metadata = ["feed": "\(poll.feed)", "outcome": "\(label)"]
        if let shard = environment.store.map.route(poll.feed)?.endpoint.redactedURL { metadata["shard"] = "\(shard)" }
        switch report.outcome {
        case .gone:
            logger.notice("410 Gone: the feed is no longer polled", metadata: metadata.merging(["url": "\(report.polledURL)"]) { $1 })
        case .notAFeed:
            logger.info("\(Self.problem(report) ?? "not a feed")", metadata: metadata)
        case .failed(let failure):
            logger.info("poll failed: \(failure)", metadata: metadata)
        case .fetched(let newCount, _) where newCount > 0 && !report.delivered:
            logger.warning("the sink did not take \(newCount) new entries: they stay unmarked and go out at the next poll", metadata: metadata)
        case .fetched(let newCount, _) where report.history != .known && !report.recordedBacklog && report.delivered:
            let why = report.history == .unknown ? "the shard cannot be read" : "the feed's set is missing (its shard lost data?)"
            logger.debug("\(why): sent \(newCount) entries not sent before", metadata: metadata)
        default:
            logger.debug("polled", metadata: metadata)
        }
        if let adopted = report.adoptedURL {
            logger.notice(
                "permanent redirect held on \(FeedPoll.defaultRedirectsToAdopt) polls: polling \(adopted) from now on",
                metadata: metadata)
        }
    }
}
