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
        let changeJournal: FeedChangeJournal
        do { changeJournal = try FeedChangeJournal(directory: stateDirectory) } catch {
            throw StartFailure(description: "\(error)", status: .cannotCreate)
        }
        defer { changeJournal.flush() }
        let feedSource = FeedSource(path: configuration.feedsFile, changes: changeJournal, owned: configuration.feedIDs)
        // Loaded before anything starts: a broken file at start is an error, not a default.
        // The list itself is not kept: the scheduler holds what it needs.
        var overlay: FeedListOverlay
        do { overlay = try await Self.loadFeeds(feedSource) } catch {
            throw StartFailure(description: "\(error)", status: .configuration)
        }
        let feedsAccess = try Self.feedsAccess(configuration)

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
        let parseThreads = ProcessInfo.processInfo.activeProcessorCount
        let budget = BodyBudget(limit: configuration.bodyBudget ?? DaemonConfiguration.defaultBodyBudget, parallelHolds: parseThreads)
        let parser = ParseWorkers(threads: parseThreads, budget: budget)
        defer { parser.stop() }
        metrics.bodyBudgetLimit.record(budget.limit)
        let fetcher = Fetcher(options: fetcherOptions, budget: budget)
        if fetcher.addressCheckLeftToProxy {
            logger.warning("a proxy is set in the environment: private addresses are the proxy's to refuse")
        }
        let sinkWaiting = Atomic<Int>.Box()
        let sinkHealth = SinkHealth()
        let entriesSent = Atomic<Int>.Box()
        @Sendable func environment(_ map: ShardMap, handover: EntryStore.Handover?) -> PollEnvironment {
            PollEnvironment(
                fetcher: fetcher, store: EntryStore(map: map, handover: handover, logger: Logger(label: "hubdiffer.store")), sink: sink,
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
            scheduler: PollScheduler(policy: policy, seed: UInt64.random(in: 0 ... .max)), environment: environment(map, handover: nil),
            changeJournal: changeJournal, concurrency: configuration.concurrency, stopGrace: .seconds(configuration.stopGrace), metrics: metrics, logger: logger)
        let loaded = await dispatcher.load(overlay.feeds)
        logOverlay(overlay, metrics: metrics)
        overlay.feeds = []
        AllocatorTuning.releaseFreeMemory()

        let control = try startControl(
            dispatcher: dispatcher, export: export, sent: entriesSent,
            sink: ControlEndpoints.SinkView(name: sink.description, health: sinkHealth, grace: .seconds(configuration.sinkGrace)),
            feedsAccess: feedsAccess, owned: configuration.feedIDs)
        let pidFile = configuration.pidFile ?? ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"].map { $0 + "/hubdiffer.pid" }
        if let pidFile { Self.writePID(pidFile, logger: logger) }
        defer { if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) } }

        let systemd = SystemdNotifier(logger: logger)
        let sinkGaveUp = GaveUp()
        let mapReloader = ShardMapReloader(path: configuration.shardsFile, dispatcher: dispatcher, environment: environment, logger: logger)
        await mapReloader.adoptMovesUnderWay()
        let reloadMap: @Sendable () async -> Void = { await mapReloader.reload() }
        let reload: @Sendable () async -> Void = { [self] in
            systemd.reloading()
            await reloadMap()
            await self.reloadFeeds(dispatcher: dispatcher, feeds: feedSource)
            systemd.ready(status: "polling \(await dispatcher.feedCount) feeds")
        }
        let name = configuration.name ?? RegistrationService.defaultName
        var fleet: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: RegistrationService(
                    dispatcher: dispatcher, name: name, started: Date(), feedIDs: configuration.feedIDs,
                    interval: .seconds(configuration.registrationInterval), logger: logger),
                serviceName: "registration")
        ]
        if configuration.mapCheckInterval > 0 {
            fleet.append(
                .init(
                    service: MapWatchService(path: configuration.shardsFile, interval: .seconds(configuration.mapCheckInterval), reloader: mapReloader),
                    serviceName: "map watch"))
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
        ] + fleet + [
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
                "pid": "\(getpid())", "name": "\(name)", "feed_ids": "\(configuration.feedIDs?.description ?? "all")",
                "map": "\(map.digest)", "state": "\(journal.path)", "known_feeds": "\(journal.count)",
                "run_time_changes": "\(changeJournal.count)",
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

    /// SIGHUP: the feeds file again. A broken file is refused with one line and the feeds in
    /// use are kept.
    private func reloadFeeds(dispatcher: PollDispatcher, feeds source: FeedSource) async {
        await dispatcher.beginReload()
        do {
            let overlay = try await Self.loadFeeds(source)
            let summary = await dispatcher.load(overlay.feeds)
            logger.notice(
                "reloaded the feeds",
                metadata: [
                    "added": "\(summary.added)", "removed": "\(summary.removed)", "changed": "\(summary.changed)",
                    "run_time_changes": "\(overlay.applied)",
                ])
            logOverlay(overlay, metrics: dispatcher.metrics)
        } catch {
            await dispatcher.abandonReload()
            logger.error("kept the feeds in use: \(error)")
        }
        AllocatorTuning.releaseFreeMemory()
    }

    /// The feeds file with the run-time changes over it, read off the cooperative pool (a
    /// million lines take a second or two, which must not hold `/health`, the watchdog or the
    /// polls).
    private static func loadFeeds(_ source: FeedSource) async throws -> FeedListOverlay {
        try await BlockingWork.run { try source.load() }
    }

    /// One line for the run-time changes the feeds file replaced, and one for the feeds
    /// outside `--feed-ids`.
    private func logOverlay(_ overlay: FeedListOverlay, metrics: DaemonMetrics) {
        metrics.countRefusedFeeds(source: "file", by: overlay.refused.count)
        if let first = overlay.refused.first, let owned = configuration.feedIDs {
            logger.warning(
                "refused \(overlay.refused.count) feeds outside --feed-ids \(owned): another daemon polls them",
                metadata: ["first": "\(first)"])
        }
        guard !overlay.fileWon.isEmpty else { return }
        logger.notice(
            "the feeds file changed the lines of \(overlay.fileWon.count) feeds changed at run time before: the file's lines hold",
            metadata: ["feeds": "\(overlay.fileWon.prefix(20).map(String.init).joined(separator: ","))"])
    }

    /// Who may change feeds through the control endpoint: the token of `control-token-file`
    /// (or the environment), required when the endpoint is published (`control-host`).
    private static func feedsAccess(_ configuration: DaemonConfiguration) throws(StartFailure) -> ControlEndpoints.FeedsAccess {
        var token: BearerToken?
        if let path = configuration.controlTokenFile {
            do { token = try BearerToken.read(from: path) } catch {
                throw StartFailure(description: "control-token-file: \(error)", status: .configuration)
            }
        } else if let text = ProcessInfo.processInfo.environment[BearerToken.environmentVariable] {
            token = BearerToken(text)
        }
        return ControlEndpoints.FeedsAccess(token: token, published: !configuration.controlHosts.isEmpty)
    }

    public static func loadMap(_ path: String) throws(StartFailure) -> ShardMap {
        do {
            return try ShardMap.load(from: path)
        } catch {
            throw mapProblem(error, path: path)
        }
    }

    /// The map in `bytes`, read from the file at `path`.
    static func parseMap(_ bytes: [UInt8], path: String) throws(StartFailure) -> ShardMap {
        do {
            return try ShardMap.load(bytes: bytes, fileName: path)
        } catch {
            throw mapProblem(error, path: path)
        }
    }

    private static func mapProblem(_ error: ShardMapError, path: String) -> StartFailure {
        StartFailure(description: "\(error) (`hubdiffer shards check --file \(path)` lists every problem)", status: .configuration)
    }

    // MARK: - Control endpoint and pid file

    private func startControl(
        dispatcher: PollDispatcher, export: PrometheusExport, sent: Atomic<Int>.Box, sink: ControlEndpoints.SinkView,
        feedsAccess: ControlEndpoints.FeedsAccess, owned: FeedIDRanges?
    ) throws(StartFailure) -> ControlServer? {
        guard let address = configuration.control else { return nil }
        let (host, port): (String, Int)
        do { (host, port) = try DaemonConfiguration.hostAndPort(address) } catch {
            throw StartFailure(description: "\(error)", status: .usage)
        }
        let server = ControlServer(
            host: host, port: port, allowedHostNames: configuration.controlHosts,
            routes: ControlEndpoints.routes(
                dispatcher: dispatcher, export: export, sent: sent, sink: sink, feedsAccess: feedsAccess, owned: owned),
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
