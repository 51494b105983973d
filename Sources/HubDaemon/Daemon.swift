import Polling
import Delivery
import DaemonKit
import EntryStore
import FeedMemory
import Fetcher
import Foundation
import Logging
import Scheduler
import ShardRouter
import Synchronization

/// `hubdiffer run`: loads the feeds and the shard map, polls on the scheduler's clock and on
/// publishers' pings, reloads on SIGHUP, and stops on SIGTERM/SIGINT within the stop grace.
public struct Daemon {
    public let configuration: DaemonConfiguration
    public let logger: Logger

    /// A daemon that will run with `configuration`, logging to `logger`.
    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Why the daemon could not start (the exit status follows sysexits).
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
        public let status: Int32
    }

    /// Runs until a signal stops it (0) or the sink has refused everything for longer than
    /// `--sink-grace` (74); returns the exit status.
    public func run() async throws(StartFailure) -> Int32 {
        let configuration = self.configuration
        // Loaded before anything starts: a broken file at start is an error, not a default.
        // The list itself is not kept: the scheduler holds what it needs.
        var feeds: [ScheduledFeed]
        do { feeds = try FeedList.load(configuration.feedsFile) } catch {
            throw StartFailure(description: "\(error)", status: 78)
        }
        let map = try Self.loadMap(configuration.shardsFile)
        let sink: any EntrySink
        do { sink = try SinkFactory.make(configuration.sink, caFile: configuration.caFile, http2: configuration.http2) } catch {
            throw StartFailure(description: "\(error)", status: 64)
        }

        let stateDirectory = configuration.stateDirectory ?? DaemonConfiguration.defaultStateDirectory
        let journal: FirstPollJournal
        do { journal = try FirstPollJournal(directory: stateDirectory) } catch {
            throw StartFailure(description: "\(error)", status: 73)
        }
        defer { journal.flush() }

        let export = PrometheusExport()
        try? export.bootstrapGlobal()
        let unconfirmed = UnconfirmedEntries(limit: configuration.unconfirmedLimit)
        let metrics = DaemonMetrics()
        var fetcherOptions = FetcherOptions(
            totalTimeout: .seconds(configuration.fetchTimeout), connectionsPerHost: configuration.connectionsPerHost,
            idleConnections: configuration.idleConnections,
            refusePrivateAddresses: !configuration.allowPrivateAddresses, allowedAddresses: Set(configuration.allowedAddresses),
            caFile: configuration.caFile, http2: configuration.http2)
        if let contactURL = configuration.contactURL { fetcherOptions.contactURL = contactURL }
        let budget = BodyBudget(limit: configuration.bodyBudget ?? DaemonConfiguration.defaultBodyBudget)
        metrics.bodyBudgetLimit.record(budget.limit)
        let fetcher = Fetcher(options: fetcherOptions, budget: budget)
        if fetcher.addressCheckLeftToProxy {
            logger.warning("a proxy is set in the environment: private addresses are the proxy's to refuse")
        }
        let parser = ParseWorkers(threads: ProcessInfo.processInfo.activeProcessorCount)
        defer { parser.stop() }
        let sinkWaiting = Atomic<Int>.Box()
        let sinkHealth = SinkHealth()
        let entriesSent = Atomic<Int>.Box()
        func environment(_ map: ShardMap) -> PollEnvironment {
            PollEnvironment(
                fetcher: fetcher, store: EntryStore(map: map, logger: Logger(label: "hubdiffer.store")), sink: sink,
                firstPoll: configuration.firstPoll, parser: parser, sinkWaiting: sinkWaiting,
                entriesSent: entriesSent, metrics: metrics, journal: journal, unconfirmed: unconfirmed,
                parseBudget: .seconds(configuration.parseBudget), sinkHealth: sinkHealth)
        }

        let policy = SchedulePolicy(
            defaultInterval: .seconds(configuration.interval), minimumInterval: .seconds(configuration.minimumInterval),
            maximumInterval: .seconds(configuration.maximumInterval),
            maximumBackoff: .seconds(max(configuration.maximumInterval, configuration.interval)))
        let dispatcher = PollDispatcher(
            scheduler: PollScheduler(policy: policy, seed: UInt64.random(in: 0 ... .max)), environment: environment(map),
            concurrency: configuration.concurrency, metrics: metrics, logger: logger)
        let loaded = await dispatcher.load(feeds)
        feeds = []
        AllocatorTuning.releaseFreeMemory()

        let control = try startControl(
            dispatcher: dispatcher, export: export, sent: entriesSent,
            sink: ControlEndpoints.SinkView(name: sink.description, health: sinkHealth, grace: .seconds(configuration.sinkGrace)))
        let pidFile = configuration.pidFile ?? ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"].map { $0 + "/hubdiffer.pid" }
        if let pidFile { Self.writePID(pidFile, logger: logger) }
        defer { if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) } }

        let signals = await SignalWatcher()
        let systemd = SystemdNotifier(logger: logger)
        let loop = Task { await dispatcher.run() }
        let watchdog = Task { await systemd.runWatchdog { await dispatcher.isTurning() } }
        // A sink that refuses everything for longer than the grace ends the daemon: SIGTERM to
        // itself, so the stop is the usual one (polls in flight get their grace).
        let sinkGaveUp = Atomic<Bool>(false)
        let sinkWatch = Task { [logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let refusal = sinkHealth.refusal(), refusal.duration > .seconds(configuration.sinkGrace) else { continue }
                logger.critical(
                    "the sink (\(sink.description)) refused every entry for \(refusal.duration.components.seconds) s (\(refusal.batches) batches): exiting so that the service manager restarts it; the entries stay unmarked and go out later")
                sinkGaveUp.store(true, ordering: .relaxed)
                kill(getpid(), SIGTERM)
                return
            }
        }
        let status = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                let (feeds, polls, inFlight) = await (dispatcher.feedCount, dispatcher.pollsDone, dispatcher.inFlightCount)
                systemd.status("\(feeds) feeds, \(polls) polls, \(inFlight) in flight, \(entriesSent.value.load(ordering: .relaxed)) entries sent")
            }
        }
        logger.notice(
            "running",
            metadata: [
                "feeds": "\(loaded.added)", "shards": "\(map.endpoints.count)", "sink": "\(sink.description)",
                "control": "\(control.map { "\($0.host):\($0.boundPort ?? $0.port)" } ?? "off")",
                "pid": "\(getpid())", "state": "\(journal.path)", "known_feeds": "\(journal.count)",
                "body_budget": "\(budget.limit >> 20)M",
            ])
        systemd.ready(status: "polling \(loaded.added) feeds")

        for await signal in signals.signals {
            if signal == .hangup {
                systemd.reloading()
                await reload(dispatcher: dispatcher, environment: environment)
                systemd.ready(status: "polling \(await dispatcher.feedCount) feeds")
                continue
            }
            logger.notice("\(signal): stopping (polls in flight get \(configuration.stopGrace) s)")
            systemd.stopping()
            break
        }
        await dispatcher.stop(deadline: .now + .seconds(configuration.stopGrace))
        loop.cancel()
        await sink.flush(deadline: .now + .seconds(1))
        status.cancel()
        sinkWatch.cancel()
        watchdog.cancel()
        control?.stop()
        let polls = await dispatcher.pollsDone
        logger.notice("stopped", metadata: ["polls": "\(polls)", "entries": "\(entriesSent.value.load(ordering: .relaxed))"])
        return sinkGaveUp.load(ordering: .relaxed) ? 74 : 0
    }

    // MARK: - Reload

    /// SIGHUP: the feeds file and the shard map again. A broken file is refused with one line
    /// and the one in use is kept.
    private func reload(dispatcher: PollDispatcher, environment: (ShardMap) -> PollEnvironment) async {
        do {
            let map = try Self.loadMap(configuration.shardsFile)
            await dispatcher.replace(environment(map))
            logger.notice("reloaded the shard map", metadata: ["shards": "\(map.endpoints.count)", "file": "\(configuration.shardsFile)"])
        } catch {
            logger.error("kept the shard map in use: \(error)")
        }
        do {
            let feeds = try FeedList.load(configuration.feedsFile)
            let summary = await dispatcher.load(feeds)
            logger.notice(
                "reloaded the feeds",
                metadata: ["added": "\(summary.added)", "removed": "\(summary.removed)", "changed": "\(summary.changed)"])
        } catch {
            logger.error("kept the feeds in use: \(error)")
        }
        AllocatorTuning.releaseFreeMemory()
    }

    public static func loadMap(_ path: String) throws(StartFailure) -> ShardMap {
        do {
            return try ShardMap.load(from: path)
        } catch {
            throw StartFailure(
                description: "\(error) (`hubdiffer shards check --file \(path)` lists every problem)", status: 78)
        }
    }

    // MARK: - Control endpoint and pid file

    private func startControl(
        dispatcher: PollDispatcher, export: PrometheusExport, sent: Atomic<Int>.Box, sink: ControlEndpoints.SinkView
    ) throws(StartFailure) -> ControlServer? {
        guard let address = configuration.control else { return nil }
        let (host, port): (String, Int)
        do { (host, port) = try DaemonConfiguration.hostAndPort(address) } catch {
            throw StartFailure(description: "\(error)", status: 64)
        }
        let server = ControlServer(
            host: host, port: port, routes: ControlEndpoints.routes(dispatcher: dispatcher, export: export, sent: sent, sink: sink),
            logger: Logger(label: "hubdiffer.control"))
        do { try server.start() } catch {
            throw StartFailure(description: "control endpoint \(address): \(error)", status: 69)
        }
        return server
    }

    private static func writePID(_ path: String, logger: Logger) {
        do {
            try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            logger.warning("cannot write the pid file \(path): \(error); `hubdiffer shards move` then needs --pid")
        }
    }
}
