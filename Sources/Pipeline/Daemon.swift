import Detection
import Foundation
import Logging
import ModelStore
import ServiceLifecycle
import Sinks
import TensorEngine
import UnixSignals
import WebAPI

/// `ssdd run`: checks and opens everything the configuration names, then runs the pipeline as one `ServiceGroup`:
///
/// | registered | service | graceful shutdown (reverse order) |
/// |---|---|---|
/// | 1 | ``HeartbeatService`` | 6: watchdog pings stop last |
/// | 2 | ``MetricsListenerService``, ``HTTPListenerService`` (with `[http]`), ``ReloadService`` | 5: the listeners close (WebSocket clients got the last lines); SIGHUP/SIGUSR1 no longer handled |
/// | 3 | ``OutputsService`` | 4: queues drained (with a deadline), resume points saved, files fsynced and closed, subscribers told |
/// | (3b) | ``SnapshotService`` (with `[output.snapshots]`) | 3b: queued pictures written (with a deadline), thread ends |
/// | 4 | ``DeliveryService`` | 3: every inferred frame's lines queued, trackers end their tracks |
/// | 5 | ``InferenceService`` | 2: workers run the scheduler dry, threads joined |
/// | 6 | ``SourcesService`` | 1: sources stop reading (`STOPPING=1`) |
///
/// (``PipelineServices`` fixes the order.) SIGTERM/SIGINT start the graceful shutdown; with only file streams the
/// sources service returns once every file is read, which shuts the group down the same way. A service that fails
/// shuts the group down gracefully too, so the outputs are always drained and closed. Start-up errors (before the
/// group runs) name the configuration key.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    public let notifier: SystemdNotifier
    /// Counters and gauges (also served on the metrics endpoint).
    public let metrics: PipelineMetrics

    /// The configuration file, for messages and reloads.
    public let configurationFile: String
    /// Called with the configuration after each applied reload (SIGHUP), in order.
    public var onConfigurationApplied: [@Sendable (DaemonConfiguration) -> Void] = []

    public init(
        configuration: DaemonConfiguration, configurationFile: String = "<config>", logger: Logger,
        notifier: SystemdNotifier = SystemdNotifier()
    ) {
        self.configuration = configuration
        self.configurationFile = configurationFile
        self.logger = logger
        self.notifier = notifier
        self.metrics = PipelineMetrics(streamNames: configuration.streams.map(\.name))
    }

    /// Starts the daemon and runs it until it has shut down: opens everything (throwing a ``StartupError`` naming the
    /// key on failure), runs the service group with `gracefulShutdownSignals`, then logs a summary.
    public func run(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let assembly = try await assemble()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: assembly.services, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        logSummary()
        if let failure { throw failure }
        if assembly.runningStreams == 0 {
            throw StartupError(key: "streams", message: "no stream could start: every stream's model failed to load")
        }
    }

    /// The services in registration order, and how many streams run.
    struct Assembly {
        var services: [ServiceGroupConfiguration.ServiceConfiguration]
        var runningStreams: Int
        /// Applies SIGHUP's re-read configuration.
        var reload: ReloadController
    }

    /// Loads and compiles the models, opens the outputs and the metrics listener, and builds the services. Whatever
    /// it opened is closed again when a later step fails.
    func assemble() async throws -> Assembly {
        let streams = configuration.streams
        try configuration.checkEnvironment(file: configurationFile)
        raiseDescriptorLimit()
        let api = makeAPI()
        let snapshotWriter = try makeSnapshotWriter(pictures: api?.state.pictures)
        let prepared = try await prepareModels()
        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let (launches, launch) = AsyncStream<any FrameSource>.makeStream()
        let scheduler = FrameScheduler(
            liveStreams: streams.map(\.live),
            capacities: streams.map { $0.queueCapacity ?? configuration.workers.queueCapacity }, metrics: metrics,
            deliver: { continuation.yield($0) })
        scheduler.onAllFinished = { launch.finish() }
        scheduler.liveBacklogNanoseconds = UInt64(configuration.workers.liveBacklog * 1e9)
        let retention = snapshotWriter.map { FrameRetention(writer: $0, streamCount: streams.count) }
        let (workers, models) = try await makeWorkers(
            prepared, scheduler: scheduler, retention: retention, deliver: { continuation.yield($0) })
        let checkpointer = try resumeCheckpointer()
        let outputs = try await Outputs.open(configuration: configuration, feeds: api?.feeds ?? [], logger: logger)
        var metricsServer: MetricsServer?
        do {
            if let m = configuration.metrics {
                metricsServer = try await MetricsServer.start(
                    host: m.host, port: m.port, limits: m.limits, logger: logger, render: { [metrics] in metrics.render() })
            }
        } catch {
            await outputs.close(within: 5, logger: logger)
            throw StartupError(key: "metrics.address", message: "cannot listen: \(error)")
        }
        var httpServer: HTTPServer?
        if let api {
            do {
                httpServer = try await startHTTPServer(api)
            } catch {
                await metricsServer?.stop()
                await outputs.close(within: 5, logger: logger)
                throw error
            }
        }
        metrics.sample(.queueWaitingFrames, perStream: { scheduler.waitingCounts() })
        metrics.sample(.queuePendingFrames, perStream: { scheduler.pendingCounts() })
        outputs.sampleMetrics(into: metrics)
        let sources = makeSources(prepared, scheduler: scheduler, checkpointer: checkpointer)
        var delivery = DeliveryStage(
            streams: streams, trackerConfiguration: configuration.tracker, emptyFrames: configuration.output.emptyFrames,
            scheduler: scheduler, metrics: metrics, logger: logger, outputs: outputs.perStream,
            firstTrackIDs: checkpointer?.starts.map(\.nextTrackID), observer: checkpointer,
            eventStages: ZoneEventStage.factory(metrics: metrics), routing: outputs.routing)
        delivery.snapshotWriter = snapshotWriter
        let reload = ReloadController(
            configuration: configuration, configurationFile: configurationFile,
            pipeline: ReloadController.Pipeline(
                scheduler: scheduler, workers: workers, outputs: outputs, metrics: metrics, checkpointer: checkpointer,
                snapshotWriter: snapshotWriter, deliver: { continuation.yield($0) }, launch: { launch.yield($0) }),
            models: models, logger: logger, notifier: notifier)
        for hook in onConfigurationApplied { await reload.onApplied(hook) }
        if let api, let httpServer { await reload.onApplied(apiReloader(state: api.state, server: httpServer)) }
        delivery.onSlotFinished = { reload.slotFinished($0) }
        let onStop: @Sendable () -> Void = { [notifier, logger] in
            notifier.notify("STOPPING=1\nSTATUS=draining accepted frames")
            logger.notice("stopping: draining frames already accepted")
        }
        let running = streams.count - prepared.failures.count
        let onStart: @Sendable () -> Void = { [notifier, logger] in
            notifier.notify("READY=1\nSTATUS=\(running) streams, \(workers.count) inference workers")
            logger.info(
                "ready",
                metadata: [
                    "streams": "\(running)", "workers": "\(workers.count)", "kernel": "\(TensorEngineInfo.gemmKernel)",
                    "blas": "\(BLAS.coreName)",
                ])
        }
        let services = PipelineServices(
            heartbeat: HeartbeatService(notifier: notifier, metrics: metrics, onStart: onStart),
            housekeeping: [MemoryTrimService()],
            listeners: (metricsServer.map { [MetricsListenerService(server: $0)] } ?? [])
                + (httpServer.map { [HTTPListenerService(server: $0)] } ?? [])
                + [ReloadService(controller: reload, outputs: outputs, logger: logger)],
            outputs: OutputsService(
                outputs: outputs, checkpointer: checkpointer, logger: logger, closeDeadline: configuration.outputCloseDeadline),
            snapshots: snapshotWriter.map { SnapshotService(writer: $0) },
            delivery: DeliveryService(stage: delivery, items: items),
            inference: InferenceService(workers: workers, onDrained: { continuation.finish() }),
            sources: SourcesService(sources: sources, scheduler: scheduler, onGracefulShutdown: onStop, launches: launches))
        return Assembly(services: services.configurations, runningStreams: running, reload: reload)
    }

    /// One worker per `[workers] count`: the first with the compiled detectors, the others with replicas sharing
    /// their weights.
    private func makeWorkers(
        _ prepared: PreparedModels, scheduler: FrameScheduler, retention: FrameRetention?,
        deliver: @escaping @Sendable (DeliveryItem) -> Void
    ) async throws -> ([InferenceWorker], [ModelKey: ReloadController.LoadedModel]) {
        let streams = configuration.streams
        let result = try await runBlocking("ssdd-compile") { [configuration, metrics, logger] in
            var workers: [InferenceWorker] = []
            var perWorker: [[Detector?]] = []
            for i in 0..<configuration.workers.count {
                let detectors = i == 0 ? prepared.detectors : try InferenceWorker.replicas(of: prepared.detectors)
                perWorker.append(detectors)
                workers.append(
                    InferenceWorker(
                        detectors: detectors.map { $0 as (any FrameDetector)? }, streamModel: prepared.streamModel,
                        streams: streams, scheduler: scheduler, metrics: metrics, logger: logger, retention: retention,
                        maxBatch: configuration.workers.maxBatch, deliver: deliver))
            }
            return WorkersAndModels(workers: workers, models: Self.loadedModels(configuration, prepared, perWorker))
        }
        return (result.workers, result.models)
    }

    /// The compiled models by path, for reloads to share: each with the threshold it filters at and its detector per
    /// worker.
    private static func loadedModels(
        _ configuration: DaemonConfiguration, _ prepared: PreparedModels, _ perWorker: [[Detector?]]
    ) -> [ModelKey: ReloadController.LoadedModel] {
        var models: [ModelKey: ReloadController.LoadedModel] = [:]
        for (i, stream) in configuration.streams.enumerated() {
            guard let index = prepared.streamModel[i], prepared.detectors[index] != nil else { continue }
            let path = configuration.modelKey(for: stream)
            let users = configuration.streams.filter { configuration.modelKey(for: $0) == path }
            let minimum = users.map(\.lowestThreshold).min() ?? stream.lowestThreshold
            models[path] = ReloadController.LoadedModel(minimumScore: minimum, detectors: perWorker.compactMap { $0[index] })
        }
        return models
    }

    /// A source per stream that has work. A stream whose model failed, or a file its resume point marks complete,
    /// gets its `stream` record and is finished here instead.
    private func makeSources(
        _ prepared: PreparedModels, scheduler: FrameScheduler, checkpointer: ResumeCheckpointer?
    ) -> [any FrameSource] {
        var sources: [any FrameSource] = []
        for (i, stream) in configuration.streams.enumerated() {
            guard let model = prepared.streamModel[i].flatMap({ prepared.detectors[$0] }) else {
                // The stream's model failed to load: the stream fails, the others run.
                let reason = prepared.failures[i] ?? "its model did not load"
                scheduler.post(stream: i, state: StreamStateChange(state: .ended, message: "model failed: \(reason)"))
                scheduler.finish(stream: i)
                continue
            }
            let start = checkpointer?.starts[i]
            if let start, let checkpointer, start.complete, !stream.live {
                let message = "already processed (resume point in \(checkpointer.store.path(of: stream.name)); remove it to process the file again)"
                logger.notice("\(message)", metadata: ["stream": "\(stream.name)"])
                scheduler.post(stream: i, state: StreamStateChange(state: .ended, message: message))
                scheduler.finish(stream: i, complete: true)
                continue
            }
            let input = model.manifest.preprocessing
            var source = SourceRunner(
                index: i, configuration: stream, networkInputSize: (input.inputWidth, input.inputHeight), scheduler: scheduler,
                metrics: metrics, logger: logger)
            source.resumeAfter = start?.frame ?? -1
            sources.append(source)
        }
        return sources
    }

    private func logSummary() {
        let written = metrics.writtenCounts.reduce(0, +)
        let dropped = metrics.droppedCounts.reduce(0, +)
        var summary: Logger.Metadata = ["frames": "\(written)", "dropped": "\(dropped)"]
        if let q = metrics.endToEndQuantiles {
            summary["latency_p50_ms"] = "\(String(format: "%.1f", q.p50 * 1000))"
            summary["latency_p99_ms"] = "\(String(format: "%.1f", q.p99 * 1000))"
        }
        logger.info("stopped", metadata: summary)
    }
}

/// The workers and the models they run, built on the compile thread.
private struct WorkersAndModels: @unchecked Sendable {
    // Unchecked: built on one thread, then handed over once.
    let workers: [InferenceWorker]
    let models: [ModelKey: ReloadController.LoadedModel]
}
