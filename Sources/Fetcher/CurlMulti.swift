import CCurl
import CXXHash
import Foundation
import Synchronization

/// With CurlCallbacks.swift (the three functions libcurl calls back) and CurlEasyOptions.swift
/// (what each easy handle is set to), the only Swift code that touches libcurl pointers: one multi handle driven by a thread of
/// its own (never the cooperative pool), its easy handles (reused), their header lists, and a
/// share handle for TLS sessions and DNS answers. Polls and POSTs share all of it. Transfers
/// come in through a locked inbox and a `curl_multi_wakeup`; each one's completion runs on the
/// loop thread when it ends. Every libcurl result code goes through ``CurlError``'s `check`.
///
/// Each host (host:port of the URL) gets at most ``FetcherOptions/connectionsPerHost``
/// transfers at once; the rest wait here, not in libcurl. The wait counts against a transfer's
/// timeout: one whose deadline passes while it waits fails as ``FetchFailure/hostBusy``.
///
/// A failure of the multi handle itself (`curl_multi_perform`, `curl_multi_poll`, sizing the
/// connection cache) ends the loop as ``stop()`` does, every transfer failing with libcurl's
/// reason: the handle can no longer drive them, and a loop that went on would leave them
/// waiting forever.
///
/// `@unchecked Sendable`: `multi`, `share`, `idleHandles`, `active`, `hosts`, `connectionCache`
/// and `easyOptions` are used only on the loop thread (in `loop()` and what it calls), or in
/// `init` before the thread starts and in `deinit`, which runs after the loop ended (the thread
/// holds `self`). The one exception is `curl_multi_wakeup`, which libcurl documents as callable
/// from any thread; callers of `submit`, `cancel` and `stop` hold a reference, so `multi` is
/// alive then. `inbox` is guarded by its mutex; `paused` is changed on the loop thread only,
/// its atomic count read by the budget's observer.
final class CurlMulti: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let share: UnsafeMutableRawPointer
    private let options: FetcherOptions
    private let budget: BodyBudget?
    /// Transfers paused for want of budget, resumed after a release.
    private let paused = Transfer.PausedList()
    /// Set by the budget when bytes were released and someone waited.
    private let budgetReleased = Atomic<Bool>(false)
    private let inbox = Mutex<(transfers: [Transfer], cancelled: [Transfer], stopped: Stop?)>(([], [], nil))
    private var idleHandles: [UnsafeMutableRawPointer] = []
    /// The transfers added to libcurl, by easy handle. This holds each transfer while libcurl
    /// may call back with it: the callbacks get it unretained.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:] {
        didSet { running.store(active.count, ordering: .relaxed) }
    }
    /// The connection cache's size now: the transfers running plus the idle connections kept.
    private var connectionCache = -1
    /// Why the loop ended on a failure of libcurl (read from any thread); nil while it runs.
    let failure = Mutex<String?>(nil)
    /// Transfers added to libcurl now (read from any thread).
    let running = Atomic<Int>(0)
    /// Per host: transfers running, and those waiting for a connection.
    private var hosts: HostQueue
    /// What every transfer's easy handle is set to (it holds `share` and the Accept header list).
    private let easyOptions: CurlEasyOptions
    /// What libcurl refused while the handles were set up; every transfer then fails with it.
    private let setupProblem: String?

    /// Why the loop ends.
    private enum Stop {
        /// ``stop()`` was called.
        case requested
        /// libcurl's multi handle failed: the text every transfer fails with.
        case failed(String)
    }

    /// libcurl's global set-up, once per process; when it fails, every loop refuses its transfers.
    private static let globalInit = Result { () throws(CurlError) in
        try CurlError.check(curl_global_init(Int(CURL_GLOBAL_ALL)), "curl_global_init")
    }
    /// How long `curl_multi_poll` waits at most, in milliseconds: the loop looks at its inbox at
    /// least this often, woken or not.
    private static let pollTimeoutMilliseconds: Int32 = 1000

    /// A loop whose thread is called `name`; it keeps `options.idleConnections` idle
    /// connections at most.
    init(options: FetcherOptions, budget: BodyBudget?, name: String) {
        let globalInit = Self.globalInit  // before any handle is made
        self.options = options
        self.budget = budget
        hosts = HostQueue(perHost: options.connectionsPerHost)
        // NULL only when memory runs out at start-up: there is nothing to run transfers on.
        guard let multi = curl_multi_init(), let share = curl_share_init() else {
            preconditionFailure("libcurl could not make its multi and share handles (out of memory)")
        }
        self.multi = multi
        self.share = share
        var problems: [String] = []
        if case .failure(let error) = globalInit { problems.append("\(error)") }
        do throws(CurlError) {
            try CurlError.check(hd_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, options.idleConnections), "MAXCONNECTS")
            connectionCache = options.idleConnections
        } catch {
            problems.append("the connection cache size (\(error.reason))")
        }
        // TLS sessions (resumed on the next connection to a host) and DNS answers are shared
        // by every transfer; all of them run on the loop thread, so the share needs no lock.
        for data in [CURL_LOCK_DATA_SSL_SESSION, CURL_LOCK_DATA_DNS] {
            do throws(CurlError) {
                try CurlError.check(hd_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(data.rawValue)), "SHARE")
            } catch {
                problems.append("sharing \(data == CURL_LOCK_DATA_DNS ? "DNS answers" : "TLS sessions") (\(error.reason))")
            }
        }
        easyOptions = CurlEasyOptions(options: options, share: share)
        if easyOptions.acceptOnly == nil { problems.append("the Accept header") }
        setupProblem = problems.isEmpty ? nil : "libcurl refused " + problems.joined(separator: ", ")
        // Only a loop with paused transfers is woken: with eight loops, waking all of them at
        // every release under budget pressure cost a turn each. A transfer that pauses just
        // after the check still sees the flag at its loop's next turn (within the poll timeout).
        budget?.onRelease { [weak self] in
            guard let self else { return }
            budgetReleased.store(true, ordering: .releasing)
            if paused.count.load(ordering: .relaxed) > 0 { wake() }
        }
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Queues a transfer; its completion runs on the loop thread.
    func submit(_ transfer: Transfer) {
        if let setupProblem {  // fixed at creation: the transfer never reaches the loop
            transfer.fail(.network(setupProblem))
            return
        }
        let stopped = inbox.withLock { state -> Stop? in
            guard state.stopped == nil else { return state.stopped }
            state.transfers.append(transfer)
            return nil
        }
        switch stopped {
        case nil: wake()
        case .requested: transfer.fail(.network("the fetcher is stopping"))
        case .failed(let reason): transfer.fail(.network(reason))
        }
    }

    /// Removes `transfer` from libcurl (or from its host's line), completing it as
    /// ``FetchFailure/cancelled``; nothing happens when it already ended.
    func cancel(_ transfer: Transfer) {
        transfer.cancelRequested.store(true, ordering: .relaxed)
        inbox.withLock { $0.cancelled.append(transfer) }
        wake()
    }

    /// Aborts what is in flight (each completes as failed) and ends the loop thread.
    func stop() {
        inbox.withLock { state in
            if state.stopped == nil { state.stopped = .requested }
        }
        wake()
    }

    /// Wakes the loop; any thread (libcurl documents `curl_multi_wakeup` as thread-safe).
    ///
    /// A failed wakeup is no error for the caller, whose transfer or request is in the inbox
    /// already: libcurl reports one only when its wakeup socket pair refuses the byte for a
    /// reason other than being full (a full pair wakes the loop anyway). The loop's poll times
    /// out within ``pollTimeoutMilliseconds`` and takes the inbox then; and a broken socket
    /// pair makes `curl_multi_poll` itself fail, which ends the loop with libcurl's reason.
    private func wake() {
        do throws(CurlError) {
            try CurlError.check(curl_multi_wakeup(multi), "curl_multi_wakeup")
        } catch {
            // Handled by the loop, as said above: a delay of one poll timeout at most.
        }
    }

    /// Every handle is back here: the loop, which finished every transfer, has ended. libcurl
    /// refuses to clean up a multi or share handle only while easy handles still use it, which
    /// would be a bug in this class; the handle is then left allocated rather than freed under
    /// its users.
    deinit {
        for easy in idleHandles { curl_easy_cleanup(easy) }
        curl_slist_free_all(easyOptions.acceptOnly)
        do throws(CurlError) {
            try CurlError.check(curl_multi_cleanup(multi), "curl_multi_cleanup")
            try CurlError.check(curl_share_cleanup(share), "curl_share_cleanup")
        } catch {
            assertionFailure("libcurl refused \(error): a handle is still in use")
        }
    }

    // MARK: - The loop (loop thread only)

    private func loop() {
        var running: Int32 = 0
        var queued: Int32 = 0
        while true {
            let (incoming, cancelled, stopped) = inbox.withLock { state in
                defer {
                    state.transfers.removeAll(keepingCapacity: true)
                    state.cancelled.removeAll()
                }
                return (state.transfers, state.cancelled, state.stopped)
            }
            if let stopped {
                end(stopped, incoming)
                break
            }
            for transfer in incoming {
                if transfer.cancelRequested.load(ordering: .relaxed) {
                    transfer.fail(.cancelled)
                } else if hosts.admit(transfer) {
                    start(transfer)
                }
            }
            for transfer in cancelled { remove(transfer) }
            let (expired, nextDeadline) = hosts.expire(now: .now)
            for transfer in expired { transfer.fail(.hostBusy(waited: .now - transfer.started)) }
            if !paused.transfers.isEmpty, budgetReleased.exchange(false, ordering: .acquiring) { resumePaused() }
            do throws(CurlError) {
                try setConnectionCache(forRunning: active.count)
                try CurlError.check(curl_multi_perform(multi, &running), "curl_multi_perform")
                while let message = curl_multi_info_read(multi, &queued) {
                    guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                    finish(easy, code: message.pointee.data.result)
                }
                try CurlError.check(curl_multi_poll(multi, nil, 0, HostQueue.wait(until: nextDeadline, atMost: Self.pollTimeoutMilliseconds), nil), "curl_multi_poll")
            } catch {
                // The multi handle failed as a whole: the next turn ends the loop.
                inbox.withLock { state in
                    if state.stopped == nil { state.stopped = .failed("libcurl failed: \(error); this fetcher loop has ended") }
                }
            }
        }
    }

    /// Ends the loop: every transfer queued or running fails. Running ones are aborted; after
    /// ``stop()`` they end as aborted, after a failure of libcurl with its reason.
    private func end(_ stopped: Stop, _ incoming: [Transfer]) {
        let queuedFailure: FetchFailure
        let runningFailure: FetchFailure?
        switch stopped {
        case .requested: (queuedFailure, runningFailure) = (.network("the fetcher stopped"), nil)
        case .failed(let reason):
            (queuedFailure, runningFailure) = (.network(reason), .network(reason))
            failure.withLock { $0 = reason }
        }
        for transfer in incoming + hosts.drain() { transfer.fail(queuedFailure) }
        for easy in active.keys { finish(easy, code: CURLE_ABORTED_BY_CALLBACK, failure: runningFailure) }
    }

    /// Sizes libcurl's connection cache to `running` transfers plus the idle connections kept.
    /// The cache holds connections in use too, and when a transfer ends with it over its size
    /// libcurl closes the connection idle longest; so a fixed size either closes connections
    /// still wanted under load or keeps thousands of idle TLS connections (40–95 KB each)
    /// when the load is light. Set once a turn, before `curl_multi_perform`: the transfers
    /// that end in that turn still count as running, so as many more may stay idle for a
    /// while. Throws when libcurl refused the size (the last one taken stays).
    private func setConnectionCache(forRunning running: Int) throws(CurlError) {
        let size = running + options.idleConnections
        guard size != connectionCache else { return }
        try CurlError.check(hd_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, size), "MAXCONNECTS")
        connectionCache = size
    }

    /// A cancelled transfer leaves: out of libcurl if it runs (its connection is closed and
    /// its host's place freed), out of its host's line if it waits; nothing if it ended.
    private func remove(_ transfer: Transfer) {
        if let easy = transfer.easy, active[easy] != nil {
            finish(easy, code: CURLE_ABORTED_BY_CALLBACK)
        } else if hosts.remove(transfer) {
            transfer.fail(.cancelled)
        }
    }

    /// Resumes every transfer paused for want of budget; those that still find none pause again.
    private func resumePaused() {
        let waiting = paused.transfers
        paused.transfers.removeAll()
        for transfer in waiting {
            guard let easy = transfer.easy, active[easy] != nil else { continue }
            // A transfer libcurl cannot resume ends with libcurl's code for why.
            let code = hd_curl_easy_unpause(easy)
            do throws(CurlError) { try CurlError.check(code, "unpause") } catch { finish(easy, code: code) }
        }
    }

    /// A transfer of `host` ended: its connection goes to the next one waiting; those whose
    /// deadline passed while they waited fail, never sent.
    private func release(_ host: String) {
        let now = ContinuousClock.now
        let (next, expired) = hosts.release(host, now: now)
        for transfer in expired { transfer.fail(.hostBusy(waited: now - transfer.started)) }
        if let next { start(next) }
    }

    private func start(_ transfer: Transfer) {
        guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
            transfer.fail(.network("libcurl could not make a handle"))
            release(transfer.host)
            return
        }
        // Unretained: `active` holds the transfer from the moment libcurl has the handle until
        // `finish` took it back, and the callbacks run only in between.
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        transfer.easy = easy
        transfer.pausedList = paused
        var refused = easyOptions.apply(to: easy, for: transfer, context: context)
        if refused.isEmpty {
            active[easy] = transfer
            do throws(CurlError) {
                try CurlError.check(curl_multi_add_handle(multi, easy), "the transfer")
                return
            } catch {
                active[easy] = nil
                refused.append(error.description)
            }
        }
        transfer.easy = nil
        transfer.pausedList = nil
        recycle(easy, of: transfer, reusable: true)
        transfer.fail(.network("libcurl refused \(refused.joined(separator: ", ")): the transfer was not started"))
        release(transfer.host)
    }

    /// Takes a finished (or aborted) transfer back from libcurl and completes it: with
    /// `failure` when given, else by what libcurl says of it. A transfer libcurl cannot report
    /// on (`curl_easy_getinfo` failed) fails with libcurl's reason; a handle libcurl would not
    /// take back from the multi handle is freed instead of reused.
    private func finish(_ easy: UnsafeMutableRawPointer, code: CURLcode, failure: FetchFailure? = nil) {
        let report = Result { () throws(CurlError) in try Self.report(of: easy) }
        let message = code == CURLE_OK ? "" : String(cString: curl_easy_strerror(code))
        var removed = true
        do throws(CurlError) {
            try CurlError.check(curl_multi_remove_handle(multi, easy), "curl_multi_remove_handle")
        } catch {
            removed = false
        }
        guard let transfer = active.removeValue(forKey: easy) else { return }
        transfer.easy = nil
        transfer.pausedList = nil
        if let charge = transfer.charge {
            budget?.finished(charge)
            // A transfer that ended while paused (timed out, aborted) must not stay listed:
            // the list would keep its body, and its charge, until the next release.
            paused.transfers.removeAll { $0 === transfer }
        }
        let detail = transfer.errorText.isEmpty ? message : transfer.errorText
        recycle(easy, of: transfer, reusable: removed)

        switch (failure, report) {
        case (let failure?, _):
            transfer.fail(failure)
        case (nil, .failure(let error)):
            transfer.fail(.network("libcurl could not report how the transfer ended: \(error)"))
        case (nil, .success(let report)):
            transfer.finalURL = report.finalURL ?? transfer.url
            transfer.status = report.status
            transfer.verifyResult = report.verifyResult
            transfer.finish(code: Transfer.Ending(code), detail: detail, nextURL: report.nextURL)
        }
        // Aborted by `stop()`: nothing more starts; cancelled alone: the host's place is free.
        if code != CURLE_ABORTED_BY_CALLBACK || transfer.cancelRequested.load(ordering: .relaxed) { release(transfer.host) }
    }

    /// What libcurl tells of a finished transfer.
    private struct Report {
        var status = 0
        var finalURL: String?
        /// OpenSSL's verification result; 0 (`X509_V_OK`) for a transfer without TLS.
        var verifyResult = 0
        /// Where a redirect not followed pointed.
        var nextURL: String?
    }

    private static func report(of easy: UnsafeMutableRawPointer) throws(CurlError) -> Report {
        var report = Report()
        try CurlError.check(hd_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &report.status), "RESPONSE_CODE")
        var effective: UnsafeMutablePointer<CChar>?
        try CurlError.check(hd_curl_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &effective), "EFFECTIVE_URL")
        report.finalURL = effective.map { String(cString: $0) }
        try CurlError.check(hd_curl_easy_getinfo_long(easy, CURLINFO_SSL_VERIFYRESULT, &report.verifyResult), "SSL_VERIFYRESULT")
        var redirect: UnsafeMutablePointer<CChar>?
        try CurlError.check(hd_curl_easy_getinfo_string(easy, CURLINFO_REDIRECT_URL, &redirect), "REDIRECT_URL")
        report.nextURL = redirect.map { String(cString: $0) }
        return report
    }

    /// Gives `easy` back for the next transfer — reset, up to 4,096 kept — or frees it, then
    /// frees `transfer`'s header list, which the handle no longer refers to.
    private func recycle(_ easy: UnsafeMutableRawPointer, of transfer: Transfer, reusable: Bool) {
        if reusable && idleHandles.count < 4096 {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
        curl_slist_free_all(transfer.headerList)
        transfer.headerList = nil
    }
}
