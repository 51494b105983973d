import Fetcher
import Scheduler
import Testing

@testable import HubDiffer

/// The `outcome` label of `hubdiffer_polls_total` for failures an operator must tell apart.
@Suite("Poll outcome labels")
struct PollLabelTests {
    @Test("each certificate problem has a label of its own; a busy host is not the feed's error")
    func labels() {
        for problem in CertificateProblem.allCases {
            #expect(PollDispatcher.label(.certificate(problem, "x")) == "error_certificate_\(problem.rawValue)")
        }
        #expect(PollDispatcher.label(.caFileUnusable("x")) == "error_ca_file")
        #expect(PollDispatcher.label(.hostBusy(waited: .seconds(1))) == "host_busy")
        #expect(PollDispatcher.label(.bodyOverBudget(limit: 1)) == "error_over_budget")
    }
}
