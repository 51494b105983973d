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
}
