import Detection
import Foundation
import Logging
import ModelStore
import Sinks
import Synchronization

/// Applies a re-read configuration to the running pipeline (SIGHUP, through ``ReloadService``), one reload at a time.
///
/// An invalid file (parse, validation, `checkEnvironment`) changes nothing: the error, naming the key, is logged and
/// counted. A valid one is applied by stream name (``ConfigurationDiff``): added streams start in new slots (their
/// model compiled on a blocking thread, or shared when already loaded with a low enough threshold); removed ones are
/// stopped (`stream` `ended` with `"reason":"reload"`); changed ones are stopped the same way and start again in a
/// new slot (fresh source, new tracker) once their old slot's last records are queued; unchanged ones are not
/// touched. Outputs whose settings changed reopen. systemd hears `RELOADING=1` (with `MONOTONIC_USEC`) then
/// `READY=1`; ``onApplied`` hooks hear every applied configuration.
actor ReloadController {
    /// What the controller drives, fixed at start-up.
    struct Pipeline: Sendable {
        let scheduler: FrameScheduler
        let workers: [InferenceWorker]
        let outputs: Outputs
        let metrics: PipelineMetrics
        let checkpointer: ResumeCheckpointer?
        let snapshotWriter: SnapshotWriter?
        let deliver: @Sendable (DeliveryItem) -> Void
        let launch: @Sendable (any FrameSource) -> Void
    }

    /// One loaded model: the threshold its detectors filter at and one detector per worker.
    struct LoadedModel: @unchecked Sendable {
        // Unchecked: each detector is handed to one worker only.
        let minimumScore: Float
        let detectors: [Detector]
        var inputSize: (width: Int, height: Int) {
            let p = detectors[0].manifest.preprocessing
            return (p.inputWidth, p.inputHeight)
        }
    }

    private let pipeline: Pipeline
    private let configurationFile: String
    private let logger: Logger
    private let notifier: SystemdNotifier
    private var configuration: DaemonConfiguration
    /// The live slot of each running stream, by name.
    private var slots: [String: Int]
    private var models: [ModelKey: LoadedModel]
    private let finishedSlots = Mutex<Set<Int>>([])
    private var hooks: [@Sendable (DaemonConfiguration) -> Void] = []
    /// How long a reload waits for a stopped stream's last records before it goes on.
    var stopDeadline: Duration = .seconds(30)

    init(
        configuration: DaemonConfiguration, configurationFile: String, pipeline: Pipeline, models: [ModelKey: LoadedModel],
        logger: Logger, notifier: SystemdNotifier
    ) {
        self.configuration = configuration
        self.configurationFile = configurationFile
        self.pipeline = pipeline
        self.models = models
        self.logger = logger
        self.notifier = notifier
        slots = Dictionary(uniqueKeysWithValues: configuration.streams.enumerated().map { ($1.name, $0) })
    }

    /// Delivery reports each slot it finished (wired to ``DeliveryStage/onSlotFinished``).
    nonisolated func slotFinished(_ slot: Int) { _ = finishedSlots.withLock { $0.insert(slot) } }

    /// Registers `hook`, called with the configuration after each applied reload.
    func onApplied(_ hook: @escaping @Sendable (DaemonConfiguration) -> Void) { hooks.append(hook) }

    /// The configuration running now.
    var current: DaemonConfiguration { configuration }

    /// Re-reads the configuration file and applies it; returns whether it was applied.
    @discardableResult
    func reload() async -> Bool {
        if pipeline.scheduler.isStopping {
            logger.notice("reload ignored: the daemon is stopping")
            return false
        }
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\nSTATUS=reloading the configuration")
        logger.notice("reloading the configuration", metadata: ["file": "\(configurationFile)"])
        let file = configurationFile
        let loaded: DaemonConfiguration
        do {
            loaded = try await runBlocking("ssdd-reload") {
                let configuration = try DaemonConfiguration.load(path: file)
                try configuration.checkEnvironment(file: file)
                return configuration
            }
        } catch {
            pipeline.metrics.reloads.record(success: false)
            let key = (error as? ConfigurationError)?.key ?? ""
            logger.error("reload failed, the running configuration is kept: \(error)", metadata: ["key": "\(key)"])
            notifier.notify("READY=1\nSTATUS=reload failed (\(key.isEmpty ? "file" : key)); running the previous configuration")
            return false
        }
        let diff = ConfigurationDiff(old: configuration, new: loaded)
        for key in diff.restartKeys {
            logger.warning("reload: \(key) changed; it needs a restart, the running value is kept", metadata: ["key": "\(key)"])
        }
        // Not applied only when the daemon began stopping meanwhile: neither a success nor a failure of the file.
        let applied = await apply(diff)
        if applied { pipeline.metrics.reloads.record(success: true) }
        let summary = "added \(diff.added.count), removed \(diff.removed.count), restarted \(diff.changed.count), unchanged \(diff.unchanged.count)"
        if applied {
            logger.notice(
                "configuration reloaded",
                metadata: [
                    "added": "\(diff.added)", "removed": "\(diff.removed)", "restarted": "\(diff.changed)",
                    "outputs": "\(diff.outputs)", "needs_restart": "\(diff.restartKeys)",
                ])
            for hook in hooks { hook(configuration) }
            notifier.notify("READY=1\nSTATUS=configuration reloaded: \(summary)")
        } else {
            notifier.notify("READY=1\nSTATUS=reload not applied (the daemon is stopping)")
        }
        return applied
    }

    /// Applies `diff`; false when the pipeline was winding down.
    private func apply(_ diff: ConfigurationDiff) async -> Bool {
        let new = diff.effective
        let starting = new.streams.filter { diff.added.contains($0.name) || diff.changed.contains($0.name) }
        let failures = await loadModels(for: starting, in: new)
        // New slots are reserved before old ones stop, so the pipeline never sees every stream finished meanwhile.
        var reserved: [(slot: Int, stream: StreamConfiguration)] = []
        for stream in starting {
            guard let slot = reserve(stream, in: new) else {
                for (slot, _) in reserved { pipeline.scheduler.finish(stream: slot) }
                return false
            }
            reserved.append((slot, stream))
        }
        let stopping = (diff.removed + diff.changed).compactMap { slots[$0] }
        for slot in stopping { pipeline.scheduler.stopStream(slot) }
        await waitUntilFinished(stopping)
        for slot in stopping { await pipeline.outputs.removeSlot(slot, logger: logger) }
        for name in diff.removed + diff.changed { slots[name] = nil }
        for (slot, stream) in reserved { slots[stream.name] = slot }
        if !diff.outputs.isEmpty {
            let live = Dictionary(uniqueKeysWithValues: slots.map { ($1, $0) })
            _ = await pipeline.outputs.reconfigure(from: configuration, to: new, slots: live, logger: logger)
        }
        for (slot, stream) in reserved {
            do {
                try await pipeline.outputs.addSlot(slot, stream: stream.name, configuration: new, logger: logger)
            } catch {
                logger.error("reload: \(error)", metadata: ["stream": "\(stream.name)"])
            }
            start(slot: slot, stream: stream, in: new, failure: failures[stream.name])
        }
        configuration = new
        return true
    }

    /// Compiles the models `streams` need that are not loaded yet (or are loaded with a higher threshold than a
    /// stream asks for), on a blocking thread; returns why a stream's model failed, by stream name.
    private func loadModels(for streams: [StreamConfiguration], in configuration: DaemonConfiguration) async -> [String: String] {
        var failures: [String: String] = [:]
        var byPath: [ModelKey: [StreamConfiguration]] = [:]
        for stream in streams { byPath[configuration.modelKey(for: stream), default: []].append(stream) }
        let workers = pipeline.workers.count
        let options = (
            threads: configuration.workers.threads, winograd: configuration.workers.winograd, maxBatch: configuration.workers.maxBatch
        )
        for (path, users) in byPath.sorted(by: { $0.key < $1.key }) {
            let precision = path.effectivePrecision(logger: logger)
            let lowest = users.map(\.lowestThreshold).min() ?? 0.5
            if let loaded = models[path], loaded.minimumScore <= lowest { continue }
            let minimum = min(lowest, models[path]?.minimumScore ?? lowest)
            do {
                let model = try await runBlocking("ssdd-compile") {
                    let file = try ModelFile(contentsOf: URL(fileURLWithPath: path.path))
                    var probe = users[0]
                    probe.threshold = minimum
                    probe.labelThresholds = [:]
                    let first = try InferenceWorker.compile(
                        model: file, streams: [probe], threads: options.threads, winograd: options.winograd, precision: precision,
                        maxBatch: options.maxBatch)
                    var detectors = [first]
                    for _ in 1..<max(workers, 1) { detectors.append(try InferenceWorker.replica(of: first)) }
                    return LoadedModel(minimumScore: minimum, detectors: detectors)
                }
                models[path] = model
                logger.info("reload: model loaded", metadata: ["model": "\(path)"])
            } catch {
                logger.error("reload: model failed to load: \(error)", metadata: ["model": "\(path)"])
                for user in users { failures[user.name] = "\(path): \(error)" }
            }
        }
        return failures
    }

    /// Adds a slot for `stream` in every stage; nil when the pipeline is winding down.
    private func reserve(_ stream: StreamConfiguration, in configuration: DaemonConfiguration) -> Int? {
        let capacity = stream.queueCapacity ?? configuration.workers.queueCapacity
        let model = models[configuration.modelKey(for: stream)]
        let pipeline = self.pipeline
        let configuration = configuration
        return pipeline.scheduler.addStream(live: stream.live, capacity: max(capacity, 1)) { slot in
            let metricsSlot = pipeline.metrics.addSlot(name: stream.name)
            precondition(metricsSlot == slot, "ReloadController: metrics slot \(metricsSlot) for scheduler slot \(slot)")
            for (i, worker) in pipeline.workers.enumerated() {
                worker.addSlot(slot, configuration: stream, detector: model.map { $0.detectors[i] })
            }
            let start = pipeline.checkpointer?.addSlot(slot, stream: stream)
            pipeline.snapshotWriter?.addSlot(name: stream.name)
            pipeline.deliver(
                .added(
                    DeliverySlot(
                        index: slot, configuration: stream, firstTrackID: start?.nextTrackID ?? 1, tracker: configuration.tracker)))
        }
    }

    /// Starts the source of a reserved slot, or ends the slot when its model failed or its file is already done.
    private func start(slot: Int, stream: StreamConfiguration, in configuration: DaemonConfiguration, failure: String?) {
        let scheduler = pipeline.scheduler
        guard failure == nil, let model = models[configuration.modelKey(for: stream)] else {
            scheduler.post(stream: slot, state: StreamStateChange(state: .ended, message: "model failed: \(failure ?? "not loaded")"))
            scheduler.finish(stream: slot)
            return
        }
        let point = pipeline.checkpointer?.starts[slot]
        if let point, point.complete, !stream.live {
            scheduler.post(stream: slot, state: StreamStateChange(state: .ended, message: "already processed (resume point)"))
            scheduler.finish(stream: slot, complete: true)
            return
        }
        var source = SourceRunner(
            index: slot, configuration: stream, networkInputSize: model.inputSize, scheduler: scheduler, metrics: pipeline.metrics,
            logger: logger)
        source.resumeAfter = point?.frame ?? -1
        pipeline.launch(source)
    }

    /// Waits until delivery has finished every slot in `stopping` (their last records queued), at most ``stopDeadline``.
    private func waitUntilFinished(_ stopping: [Int]) async {
        let clock = ContinuousClock()
        let deadline = clock.now + stopDeadline
        while clock.now < deadline {
            let done = finishedSlots.withLock { finished in stopping.allSatisfy { finished.contains($0) } }
            if done { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        logger.warning("reload: a stopped stream did not finish in time; going on")
    }

    /// CLOCK_MONOTONIC in microseconds (systemd's `MONOTONIC_USEC=`).
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}
