import FeedParsing
import Foundation

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
    }

    private let condition = NSCondition()
    /// The line; a taken job's place is emptied at once, so that its document is freed when
    /// its parse ends, not when the line is next compacted.
    private var jobs: [Job?] = []
    private var head = 0
    private var stopping = false
    /// Threads parsing.
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
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

    /// Parses `bytes` on one of the threads.
    public func parse(_ bytes: [UInt8], options: ParserOptions) async throws(FeedParsingError) -> Feed {
        let result = await withCheckedContinuation { continuation in
            condition.lock()
            jobs.append(Job(bytes: bytes, options: options, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
        return try result.get()
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
            guard let job = jobs[head] else { preconditionFailure("a job is taken once") }
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
            let result: Result<Feed, FeedParsingError>
            do { result = .success(try FeedParser.parse(job.bytes, options: job.options)) } catch { result = .failure(error) }
            job.continuation.resume(returning: result)
        }
    }
}
