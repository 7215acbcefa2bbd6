import Detection
import Foundation
import Logging
import ModelStore
import ServiceLifecycle
import Sinks
import TensorEngine
import UnixSignals

/// `ssdd run`: the long-running service. Sources (one thread each) → bounded per-stream queues → a shared pool of
/// inference threads → in-order delivery with tracking → JSON Lines files and the Unix-socket feed.
///
/// Graceful shutdown (SIGTERM/SIGINT via `ServiceGroup`): sources stop, every frame already accepted is inferred and
/// written, trackers end their tracks, files are flushed and fsynced, subscribers get a final notice, then `run`
/// returns. With only file streams, `run` returns by itself once every file is processed.
public struct Daemon: Service {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    public let notifier: SystemdNotifier
    /// Counters and gauges (also served on the metrics endpoint).
    public let metrics: PipelineMetrics

    /// The configuration file, for messages.
    public let configurationFile: String

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

    public func run() async throws {
        let streams = configuration.streams
        try configuration.checkEnvironment(file: configurationFile)
        raiseDescriptorLimit()
        let prepared = try await prepareModels()
        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let scheduler = FrameScheduler(
            liveStreams: streams.map(\.live),
            capacities: streams.map { $0.queueCapacity ?? configuration.workers.queueCapacity }, metrics: metrics,
            deliver: { continuation.yield($0) })
        let workers = try await runBlocking("ssdd-compile") { [prepared, metrics, logger] in
            var workers: [InferenceWorker] = []
            for i in 0..<configuration.workers.count {
                let detectors = i == 0 ? prepared.detectors : try InferenceWorker.replicas(of: prepared.detectors)
                workers.append(InferenceWorker(
                    detectors: detectors, streamModel: prepared.streamModel, streams: streams, scheduler: scheduler,
                    metrics: metrics, logger: logger, deliver: { continuation.yield($0) }))
            }
            return workers
        }
        let checkpointer = try resumeCheckpointer()
        let outputs = try await Outputs.open(configuration: configuration, logger: logger)
        let drains = Task { await outputs.run() }
        var metricsServer: MetricsServer?
        do {
            if let m = configuration.metrics {
                metricsServer = try await MetricsServer.start(
                    host: m.host, port: m.port, limits: m.limits, logger: logger, render: { [metrics] in metrics.render() })
            }
        } catch {
            await outputs.finish(draining: drains, within: 5, logger: logger)
            throw StartupError(key: "metrics.address", message: "cannot listen: \(error)")
        }
        metrics.sample(.queueWaitingFrames, perStream: { scheduler.waitingCounts() })
        metrics.sample(.queuePendingFrames, perStream: { scheduler.pendingCounts() })
        outputs.sampleMetrics(into: metrics)

        for (i, worker) in workers.enumerated() { worker.start(name: "ssdd-infer-\(i)") }
        for (i, stream) in streams.enumerated() {
            guard let model = prepared.streamModel[i].flatMap({ prepared.detectors[$0] }) else {
                // The stream's model failed to load: the stream fails, the others run.
                let reason = prepared.failures[i] ?? "its model did not load"
                scheduler.post(stream: i, state: StreamStateChange(state: .ended, message: "model failed: \(reason)"))
                scheduler.finish(stream: i)
                continue
            }
            let start = checkpointer?.starts[i]
            if let start, start.complete, !stream.live {
                let message = "already processed (resume point in \(checkpointer!.store.path(of: stream.name)); remove it to process the file again)"
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
            source.start()
        }
        let delivery = DeliveryStage(
            streams: streams, trackerConfiguration: configuration.tracker, emptyFrames: configuration.output.emptyFrames,
            scheduler: scheduler, metrics: metrics, logger: logger, outputs: outputs.perStream, progress: checkpointer)
        let running = streams.count - prepared.failures.count
        notifier.notify("READY=1\nSTATUS=\(running) streams, \(workers.count) inference workers")
        logger.info("ready", metadata: ["streams": "\(running)", "workers": "\(workers.count)", "kernel": "\(TensorEngineInfo.gemmKernel)", "blas": "\(BLAS.coreName)"])

        var failure: (any Error)?
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await delivery.run(items) }
                    group.addTask { await heartbeat() }
                    group.addTask { await reopenOnHangup(outputs) }
                    if let checkpointer { group.addTask { await checkpointer.run(outputs: outputs, every: .seconds(1)) } }
                    for file in outputs.files {
                        // Lines held after failed writes are retried even when no new line arrives.
                        group.addTask { await file.runRetryTimer(every: .seconds(2)) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                notifier.notify("STOPPING=1\nSTATUS=draining accepted frames")
                logger.notice("stopping: draining frames already accepted")
                scheduler.stopSources()
            }
        } catch {
            failure = error
            scheduler.stopSources()
        }
        // Every path ends here: sources stopped, workers joined, outputs drained and closed, listeners last.
        continuation.finish()
        if failure == nil {
            _ = try? await runBlocking("ssdd-join") { for worker in workers { worker.join() } }
        }
        await outputs.drain(drains, within: 10, logger: logger)
        await checkpointer?.checkpoint(outputs: outputs)
        await outputs.close(within: 10, logger: logger)
        await metricsServer?.stop()
        let written = metrics.writtenCounts.reduce(0, +)
        let dropped = metrics.droppedCounts.reduce(0, +)
        var summary: Logger.Metadata = ["frames": "\(written)", "dropped": "\(dropped)"]
        if let q = metrics.endToEndQuantiles {
            summary["latency_p50_ms"] = "\(String(format: "%.1f", q.p50 * 1000))"
            summary["latency_p99_ms"] = "\(String(format: "%.1f", q.p99 * 1000))"
        }
        logger.info("stopped", metadata: summary)
        if let failure { throw failure }
        if running == 0 { throw StartupError(key: "streams", message: "no stream could start: every stream's model failed to load") }
    }

    /// Raises the soft limit on open descriptors to the hard limit, so the listeners' reserve leaves the pipeline room.
    private func raiseDescriptorLimit() {
        do {
            let limits = try OpenDescriptors.raiseSoftLimitToHardLimit()
            logger.debug("open descriptor limit", metadata: ["previous": "\(limits.previous.map(String.init) ?? "unlimited")", "now": "\(limits.current.map(String.init) ?? "unlimited")"])
        } catch {
            logger.warning("cannot raise the open descriptor limit: \(error)")
        }
    }

    /// The resume points' keeper, in `[state] dir` or systemd's `$STATE_DIRECTORY`; nil when neither is set.
    private func resumeCheckpointer() throws -> ResumeCheckpointer? {
        guard let directory = configuration.stateDirectory ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]
            .flatMap({ $0.split(separator: ":").first.map(String.init) })
        else {
            logger.info("no state directory ([state] dir or $STATE_DIRECTORY): streams start from the beginning after a restart")
            return nil
        }
        return ResumeCheckpointer(store: try ResumeStore(directory: directory), streams: configuration.streams, logger: logger)
    }

    /// The compiled detectors, one per distinct model path, and which stream uses which. A model that fails to load
    /// or validate fails only the streams that use it (logged, and reported in their `stream` record); when every
    /// model fails the daemon does not start.
    private func prepareModels() async throws -> PreparedModels {
        let streams = configuration.streams
        let modelPaths = streams.map { $0.model ?? configuration.modelPath }
        let distinct = Array(Set(modelPaths)).sorted()
        let workers = configuration.workers
        let prepared = try await runBlocking("ssdd-load") { [logger] in
            var prepared = PreparedModels()
            var errors: [String: String] = [:]
            for path in distinct {
                do {
                    let model = try ModelFile(contentsOf: URL(fileURLWithPath: path))
                    let users = zip(streams, modelPaths).filter { $0.1 == path }.map(\.0)
                    prepared.detectors.append(
                        try InferenceWorker.compile(model: model, streams: users, threads: workers.threads, winograd: workers.winograd))
                } catch {
                    logger.error("model failed to load: \(error)", metadata: ["model": "\(path)"])
                    prepared.detectors.append(nil)
                    errors[path] = "\(error)"
                }
            }
            for (i, path) in modelPaths.enumerated() {
                if let error = errors[path] {
                    prepared.streamModel.append(nil)
                    prepared.failures[i] = "\(path): \(error)"
                } else {
                    prepared.streamModel.append(distinct.firstIndex(of: path))
                }
            }
            return prepared
        }
        if prepared.failures.count == streams.count, let first = prepared.failures.sorted(by: { $0.key < $1.key }).first {
            throw StartupError(key: "model.path", message: first.value)
        }
        return prepared
    }

    /// Watchdog pings and a status line, from an async task that only sleeps (never blocks a pool thread).
    private func heartbeat() async {
        let interval = notifier.watchdogInterval.map { $0 / 2 } ?? .seconds(5)
        var lastWritten = metrics.writtenCounts.reduce(0, +)
        var last = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: min(interval, .seconds(5))) } catch { return }
            let written = metrics.writtenCounts.reduce(0, +)
            let elapsed = ContinuousClock.now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Double(written - lastWritten) / max(seconds, 1e-3)
            lastWritten = written
            last = .now
            var message = String(format: "STATUS=%d streams, %.1f frames/s, %d frames written", metrics.streamNames.count, rate, written)
            if notifier.watchdogInterval != nil { message = "WATCHDOG=1\n" + message }
            notifier.notify(message)
        }
    }

    /// SIGHUP reopens the output files (logrotate's `postrotate` convention).
    private func reopenOnHangup(_ outputs: Outputs) async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            logger.notice("SIGHUP: reopening output files")
            await outputs.reopen()
        }
    }
}

/// Compiled detectors by distinct model, the model of each stream (nil when it failed) and why models failed.
private struct PreparedModels: @unchecked Sendable {
    // Unchecked: built once on the loading thread, then only read.
    var detectors: [Detector?] = []
    var streamModel: [Int?] = []
    var failures: [Int: String] = [:]
}
