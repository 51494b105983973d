import FeedParsing
import Fetcher
import Foundation
import Synchronization

/// The daemon's parse stage: documents are parsed on threads of its own, never on the
/// cooperative pool, so a document that takes seconds (or a hostile one) cannot starve the
/// scheduler, the control endpoint or the watchdog. As many threads as cores; polls wait in
/// line for one (the line is bounded by the polls in flight, each with one body), and its
/// length is the stage's queue depth. Each parse has the time budget of its options.
///
/// `@unchecked Sendable`: `jobs`, `head` and `stopping` are touched only with `condition`
/// locked; the threads are started once, in `init`.
public final class ParseWorkers: @unchecked Sendable {
    private struct Job {
        let bytes: [UInt8]
        let options: ParserOptions
        let continuation: CheckedContinuation<Result<Feed, FeedParsingError>, Never>
        /// Which poll's document it is, so that a cancelled poll can take it out of the line.
        let ticket: UInt64
    }

    private let condition = NSCondition()
    /// The line; a taken job's place is emptied at once, so that its document is freed when
    /// its parse ends, not when the line is next compacted.
    private var jobs: [Job?] = []
    private var head = 0
    private var stopping = false
    /// The next job's ticket.
    private let nextTicket = Atomic<UInt64>(0)
    /// Threads parsing.
    public let threads: Int
    /// What the documents are charged to (the daemon's body budget); each parse's working
    /// memory (``FeedParser/workingBytes(documentBytes:)``) is charged to it from the parse's
    /// start to its end, not while the document waits in line. Nil: nothing is charged.
    public let budget: BodyBudget?

    /// `budget`: see ``budget``; its room for parses is kept for `threads` of them.
    public init(threads: Int, budget: BodyBudget? = nil) {
        self.threads = max(1, threads)
        self.budget = budget
        for index in 0..<self.threads {
            let thread = Thread { [self] in work() }
            thread.name = "hubdiffer-parse-\(index)"
            thread.stackSize = 8 << 20  // libxml2 recurses per nesting level
            thread.start()
        }
    }

    /// Documents waiting for a thread.
    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    /// Parses `bytes` on one of the threads. Cancelled while the document waits in line, it
    /// leaves the line and throws ``FeedParsingError/cancelled``; a parse under way finishes
    /// (within the options' time budget), its working memory charged to ``budget``.
    public func parse(_ bytes: [UInt8], options: ParserOptions) async throws(FeedParsingError) -> Feed {
        let ticket = nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                condition.lock()
                jobs.append(Job(bytes: bytes, options: options, continuation: continuation, ticket: ticket))
                condition.signal()
                condition.unlock()
                if Task.isCancelled { withdraw(ticket) }
            }
        } onCancel: {
            withdraw(ticket)
        }
        return try result.get()
    }

    /// Takes the job `ticket` out of the line, if it is still there, and answers it cancelled.
    private func withdraw(_ ticket: UInt64) {
        condition.lock()
        let index = jobs[head...].firstIndex { $0?.ticket == ticket }
        let job = index.flatMap { jobs[$0] }
        if let index { jobs[index] = nil }
        condition.unlock()
        job?.continuation.resume(returning: .failure(.cancelled))
    }

    /// Lets the threads end once the line is empty (a parse under way finishes).
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            guard head < jobs.count else {
                condition.unlock()
                return
            }
            let taken = jobs[head]  // nil: withdrawn by a cancelled poll
            jobs[head] = nil
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024 && head * 2 > jobs.count {  // drop the taken half now and then
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            guard let job = taken else { continue }
            let result: Result<Feed, FeedParsingError>
            if let budget {
                result = budget.holding(FeedParser.workingBytes(documentBytes: job.bytes.count)) { Self.parse(job) }
            } else {
                result = Self.parse(job)
            }
            job.continuation.resume(returning: result)
        }
    }

    private static func parse(_ job: Job) -> Result<Feed, FeedParsingError> {
        Result { () throws(FeedParsingError) in try FeedParser.parse(job.bytes, options: job.options) }
    }
}
