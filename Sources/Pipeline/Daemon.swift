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

    public init(configuration: DaemonConfiguration, logger: Logger, notifier: SystemdNotifier = SystemdNotifier()) {
        self.configuration = configuration
        self.logger = logger
        self.notifier = notifier
        self.metrics = PipelineMetrics(streamNames: configuration.streams.map(\.name))
    }

    public func run() async throws {
        let streams = configuration.streams
        // Models: one ModelFile (memory-mapped) per distinct path; each worker compiles its own networks from them.
        let modelPaths = streams.map { $0.model ?? configuration.modelPath }
        let distinct = Array(Set(modelPaths)).sorted()
        let models = try await runBlocking("ssdd-load") { try distinct.map { try ModelFile(contentsOf: URL(fileURLWithPath: $0)) } }
        let streamModel = modelPaths.map { distinct.firstIndex(of: $0)! }

        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let scheduler = FrameScheduler(
            liveStreams: streams.map(\.live),
            capacities: streams.map { $0.queueCapacity ?? configuration.workers.queueCapacity }, metrics: metrics,
            deliver: { continuation.yield($0) })
        BLAS.setThreadCount(configuration.workers.threads)
        let workers = try await runBlocking("ssdd-compile") { [configuration, metrics, logger] in
            var workers: [InferenceWorker] = []
            for _ in 0..<configuration.workers.count {
                workers.append(try InferenceWorker(
                    models: models, streamModel: streamModel, streams: streams, threads: configuration.workers.threads,
                    winograd: configuration.workers.winograd, sibling: workers.first, scheduler: scheduler, metrics: metrics,
                    logger: logger, deliver: { continuation.yield($0) }))
            }
            return workers
        }
        let outputs = try await Outputs.open(configuration: configuration, logger: logger)
        metrics.addGauges { [metrics] in
            let names = metrics.streamNames.map { "{stream=\"\(metrics.escape($0))\"}" }
            return [
                ("ssdd_queue_waiting_frames", "Frames waiting for an inference worker.", zip(names, scheduler.waitingCounts()).map { ($0, Double($1)) }),
                ("ssdd_queue_pending_frames", "Frames accepted and not yet written.", zip(names, scheduler.pendingCounts()).map { ($0, Double($1)) }),
            ] + outputs.gauges()
        }
        var metricsServer: MetricsServer?
        if let m = configuration.metrics {
            metricsServer = try await MetricsServer.start(host: m.host, port: m.port, logger: logger, render: { [metrics] in metrics.render() })
        }

        for (i, worker) in workers.enumerated() { worker.start(name: "ssdd-infer-\(i)") }
        for (i, stream) in streams.enumerated() {
            let input = models[streamModel[i]].manifest.preprocessing
            SourceRunner(
                index: i, configuration: stream, networkInputSize: (input.inputWidth, input.inputHeight), scheduler: scheduler,
                metrics: metrics, logger: logger
            ).start()
        }
        let delivery = DeliveryStage(
            streams: streams, trackerConfiguration: configuration.tracker, emptyFrames: configuration.output.emptyFrames,
            scheduler: scheduler, metrics: metrics, logger: logger, outputs: outputs.perStream)
        notifier.notify("READY=1\nSTATUS=\(streams.count) streams, \(workers.count) inference workers")
        logger.info("ready", metadata: ["streams": "\(streams.count)", "workers": "\(workers.count)", "kernel": "\(TensorEngineInfo.gemmKernel)", "blas": "\(BLAS.coreName)"])

        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await delivery.run(items) }
                group.addTask { await heartbeat() }
                group.addTask { await reopenOnHangup(outputs) }
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
        continuation.finish()
        await outputs.close()
        await metricsServer?.stop()
        let written = metrics.writtenCounts.reduce(0, +)
        let dropped = metrics.droppedCounts.reduce(0, +)
        var summary: Logger.Metadata = ["frames": "\(written)", "dropped": "\(dropped)"]
        if let q = metrics.endToEndQuantiles {
            summary["latency_p50_ms"] = "\(String(format: "%.1f", q.p50 * 1000))"
            summary["latency_p99_ms"] = "\(String(format: "%.1f", q.p99 * 1000))"
        }
        logger.info("stopped", metadata: summary)
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
