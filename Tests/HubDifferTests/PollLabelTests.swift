import Fetcher
import Scheduler
import Testing

@testable import HubDaemon

/// The `outcome` label of `hubdiffer_polls_total` for failures an operator must tell apart.
@Suite("Poll outcome labels")
struct PollLabelTests {
    @Test("each certificate problem has a label of its own; a busy host is not the feed's error")
    func labels() {
        // The names the README lists, written out: a renamed label breaks dashboards.
        let expected: [CertificateProblem: String] = [
            .expired: "error_certificate_expired", .notYetValid: "error_certificate_not_yet_valid",
            .hostName: "error_certificate_host_name", .unknownIssuer: "error_certificate_unknown_issuer",
            .selfSigned: "error_certificate_self_signed", .other: "error_certificate_other",
        ]
        #expect(Set(expected.keys) == Set(CertificateProblem.allCases))
        for (problem, label) in expected { #expect(PollDispatcher.label(.certificate(problem, "x")) == label) }
        #expect(PollDispatcher.label(.caFileUnusable("x")) == "error_ca_file")
        #expect(PollDispatcher.label(.hostBusy(waited: .seconds(1))) == "host_busy")
        #expect(PollDispatcher.label(.bodyOverBudget(limit: 1)) == "error_over_budget")
    }
}
