import AsyncBridges
import Polling
import Delivery
import DaemonKit
import EntryStore
import FeedMemory
import Fetcher
import Foundation
import Logging
import Scheduler
import ServiceLifecycle
import ShardRouter
import Synchronization

/// `hubdiffer run`: loads the feeds and the shard map, polls on the scheduler's clock and on
/// publishers' pings, reloads on SIGHUP, and stops on SIGTERM/SIGINT within the stop grace.
public struct Daemon: Sendable {
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
        public let status: ExitStatus
    }

    /// Runs until a signal stops it (0) or the sink has refused everything for longer than
    /// `--sink-grace` (74); returns the exit status.
    public func run() async throws(StartFailure) -> ExitStatus {
        let configuration = self.configuration
        // First: from here a SIGTERM or a SIGHUP (`shards move` sends one to the pid file's
        // process) waits in the watcher's stream instead of ending the process.
        let signals = await SignalWatcher()
        // Loaded before anything starts: a broken file at start is an error, not a default.
        // The list itself is not kept: the scheduler holds what it needs.
        var feeds: [ScheduledFeed]
        do { feeds = try await Self.loadFeeds(configuration.feedsFile) } catch {
            throw StartFailure(description: "\(error)", status: .configuration)
        }
        let map = try Self.loadMap(configuration.shardsFile)
        let sink: any EntrySink
        do { sink = try SinkFactory.make(configuration.sink, caFile: configuration.caFile, http2: configuration.http2) } catch {
            throw StartFailure(description: "\(error)", status: .usage)
        }

        let stateDirectory = configuration.stateDirectory ?? DaemonConfiguration.defaultStateDirectory
        let journal: FirstPollJournal
        do { journal = try FirstPollJournal(directory: stateDirectory) } catch {
            throw StartFailure(description: "\(error)", status: .cannotCreate)
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
        @Sendable func environment(_ map: ShardMap) -> PollEnvironment {
            PollEnvironment(
                fetcher: fetcher, store: EntryStore(map: map, logger: Logger(label: "hubdiffer.store")), sink: sink,
                firstPoll: configuration.firstPoll, parser: parser, sinkWaiting: sinkWaiting,
                entriesSent: entriesSent, metrics: metrics, journal: journal, unconfirmed: unconfirmed,
                parseBudget: .seconds(configuration.parseBudget), sinkHealth: sinkHealth)
        }

        let policy = SchedulePolicy(
            defaultInterval: .seconds(configuration.interval), minimumInterval: .seconds(configuration.minimumInterval),
            maximumInterval: .seconds(configuration.maximumInterval),
            maximumBackoff: .seconds(max(configuration.maximumInterval, configuration.interval)),
            pingInterval: .seconds(configuration.pingInterval))
        let dispatcher = PollDispatcher(
            scheduler: PollScheduler(policy: policy, seed: UInt64.random(in: 0 ... .max)), environment: environment(map),
            concurrency: configuration.concurrency, stopGrace: .seconds(configuration.stopGrace), metrics: metrics, logger: logger)
        let loaded = await dispatcher.load(feeds)
        feeds = []
        AllocatorTuning.releaseFreeMemory()

        let control = try startControl(
            dispatcher: dispatcher, export: export, sent: entriesSent,
            sink: ControlEndpoints.SinkView(name: sink.description, health: sinkHealth, grace: .seconds(configuration.sinkGrace)))
        let pidFile = configuration.pidFile ?? ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"].map { $0 + "/hubdiffer.pid" }
        if let pidFile { Self.writePID(pidFile, logger: logger) }
        defer { if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) } }

        let systemd = SystemdNotifier(logger: logger)
        let sinkGaveUp = GaveUp()
        let reload: @Sendable () async -> Void = { [self] in
            systemd.reloading()
            await self.reload(dispatcher: dispatcher, environment: environment)
            systemd.ready(status: "polling \(await dispatcher.feedCount) feeds")
        }
        // Shut down in the reverse order: the dispatcher first (its polls get the stop grace),
        // the sink's flush last, the control endpoint answering until then.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: SinkFlushService(sink: sink), serviceName: "sink flush"),
            .init(service: ControlService(server: control), serviceName: "control"),
            .init(service: WatchdogService(systemd: systemd, dispatcher: dispatcher), serviceName: "watchdog"),
            .init(service: StatusService(systemd: systemd, dispatcher: dispatcher, sent: entriesSent), serviceName: "status"),
            .init(
                service: SinkWatchService(sink: sink, health: sinkHealth, grace: .seconds(configuration.sinkGrace), gaveUp: sinkGaveUp, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "sink watch"),
            .init(
                service: SignalService(signals: signals, systemd: systemd, grace: configuration.stopGrace, reload: reload, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "signals"),
            .init(service: dispatcher, serviceName: "dispatcher"),
        ]
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        // Past the stop grace the dispatcher cancels its polls; a service that still holds a
        // second later is cancelled. (No `maximumCancellationDuration`: past it ServiceLifecycle
        // ends the process with a fatal error; every part here ends when cancelled.)
        groupConfiguration.maximumGracefulShutdownDuration = Duration.seconds(configuration.stopGrace + 1)
        let group = ServiceGroup(configuration: groupConfiguration)
        logger.notice(
            "running",
            metadata: [
                "feeds": "\(loaded.added)", "shards": "\(map.endpoints.count)", "sink": "\(sink.description)",
                "control": "\(control.map { "\($0.host):\($0.boundPort ?? $0.port)" } ?? "off")",
                "pid": "\(getpid())", "state": "\(journal.path)", "known_feeds": "\(journal.count)",
                "body_budget": "\(budget.limit >> 20)M",
            ])
        systemd.ready(status: "polling \(loaded.added) feeds")
        var failed = false
        do {
            try await group.run()
        } catch {
            // Exit non-zero, so that the service manager restarts the daemon.
            logger.critical("a part of the daemon failed: \(error); exiting")
            failed = true
        }
        signals.stop()
        let polls = await dispatcher.pollsDone
        logger.notice("stopped", metadata: ["polls": "\(polls)", "entries": "\(entriesSent.value.load(ordering: .relaxed))"])
        return failed ? .software : sinkGaveUp.flag.load(ordering: .relaxed) ? .ioError : .ok
    }

    // MARK: - Reload

    /// SIGHUP: the feeds file and the shard map again. A broken file is refused with one line
    /// and the one in use is kept.
    private func reload(dispatcher: PollDispatcher, environment: @Sendable (ShardMap) -> PollEnvironment) async {
        do {
            let map = try Self.loadMap(configuration.shardsFile)
            await dispatcher.replace(environment(map))
            logger.notice("reloaded the shard map", metadata: ["shards": "\(map.endpoints.count)", "file": "\(configuration.shardsFile)"])
        } catch {
            logger.error("kept the shard map in use: \(error)")
        }
        do {
            let feeds = try await Self.loadFeeds(configuration.feedsFile)
            let summary = await dispatcher.load(feeds)
            logger.notice(
                "reloaded the feeds",
                metadata: ["added": "\(summary.added)", "removed": "\(summary.removed)", "changed": "\(summary.changed)"])
        } catch {
            logger.error("kept the feeds in use: \(error)")
        }
        AllocatorTuning.releaseFreeMemory()
    }

    /// The feeds file, parsed off the cooperative pool (a million lines take a second or two,
    /// which must not hold `/health`, the watchdog or the polls).
    private static func loadFeeds(_ path: String) async throws -> [ScheduledFeed] {
        try await BlockingWork.run { try FeedList.load(path) }
    }

    public static func loadMap(_ path: String) throws(StartFailure) -> ShardMap {
        do {
            return try ShardMap.load(from: path)
        } catch {
            throw StartFailure(
                description: "\(error) (`hubdiffer shards check --file \(path)` lists every problem)", status: .configuration)
        }
    }

    // MARK: - Control endpoint and pid file

    private func startControl(
        dispatcher: PollDispatcher, export: PrometheusExport, sent: Atomic<Int>.Box, sink: ControlEndpoints.SinkView
    ) throws(StartFailure) -> ControlServer? {
        guard let address = configuration.control else { return nil }
        let (host, port): (String, Int)
        do { (host, port) = try DaemonConfiguration.hostAndPort(address) } catch {
            throw StartFailure(description: "\(error)", status: .usage)
        }
        let server = ControlServer(
            host: host, port: port, allowedHostNames: configuration.controlHosts,
            routes: ControlEndpoints.routes(dispatcher: dispatcher, export: export, sent: sent, sink: sink),
            logger: Logger(label: "hubdiffer.control"))
        do { try server.start() } catch {
            throw StartFailure(description: "control endpoint \(address): \(error)", status: .unavailable)
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
