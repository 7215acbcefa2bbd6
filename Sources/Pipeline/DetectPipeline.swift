import Detection
import Events
import Logging
import ModelStore
import Sinks
import Tracking

/// `ssdd detect`'s options for each input, as a file stream of the daemon would have them.
public struct DetectOptions: Sendable {
    /// Minimum score reported (a stream's `threshold`).
    public var threshold: Float
    /// Only these labels are reported (a stream's `labels`); nil reports all.
    public var labels: [String]?
    /// Process every Nth frame (`every`).
    public var everyNth: Int
    /// At most this many frames per second of stream time (`fps`).
    public var maxFramesPerSecond: Double?
    /// Seconds a single open or read may block.
    public var timeout: Double
    /// FFmpeg decoder threads (0 = FFmpeg's choice).
    public var decoderThreads: Int
    /// Frames decoded ahead of inference at most (the decode thread blocks when it is that far ahead).
    public var queueCapacity: Int
    /// The tracker (the daemon's `[tracker]` defaults unless changed).
    public var tracker: TrackerConfiguration
    /// The record kinds written: `frame` only by default; `track` and `stream` records on request.
    public var kinds: Set<RecordKind>
    /// Zones and lines, as a daemon stream's (``usePlaces(of:)``); none by default.
    public var zones: [ZoneDefinition] = []
    public var lines: [LineDefinition] = []
    /// Per-label minimum scores (a stream's `[streams.thresholds]`); labels not listed use `threshold`.
    public var labelThresholds: [String: Float] = [:]
    /// Motion gating (`--motion`, a stream's `motion = true`); nil infers every frame.
    public var motion: MotionSettings? = nil

    public init(
        threshold: Float = 0.5, labels: [String]? = nil, everyNth: Int = 1, maxFramesPerSecond: Double? = nil,
        timeout: Double = 10, decoderThreads: Int = 0, queueCapacity: Int = 8, tracker: TrackerConfiguration = TrackerConfiguration(),
        kinds: Set<RecordKind> = [.frame]
    ) {
        self.threshold = threshold
        self.labels = labels
        self.everyNth = everyNth
        self.maxFramesPerSecond = maxFramesPerSecond
        self.timeout = timeout
        self.decoderThreads = decoderThreads
        self.queueCapacity = queueCapacity
        self.tracker = tracker
        self.kinds = kinds
    }

    /// Takes `stream`'s zones and lines (`ssdd detect --config FILE --stream NAME`) and writes `event` records too.
    public mutating func usePlaces(of stream: StreamConfiguration) {
        zones = stream.zones
        lines = stream.lines
        kinds.insert(.event)
    }

    /// The file stream the daemon would run for `input` with these options (its name is the input as given).
    func stream(for input: String) -> StreamConfiguration {
        var stream = StreamConfiguration(
            name: input, url: input, live: false, everyNth: everyNth, maxFramesPerSecond: maxFramesPerSecond,
            threshold: threshold, labels: labels, decoderThreads: decoderThreads, stallTimeout: timeout,
            queueCapacity: queueCapacity)
        stream.zones = zones
        stream.lines = lines
        stream.labelThresholds = labelThresholds
        stream.motion = motion
        return stream
    }
}

/// `ssdd detect`: the daemon's stages over one input at a time, so its `frame` records are the daemon's, byte for
/// byte (but `time`), for a file stream with the same options:
///
/// decode (``SourceRunner`` on its own thread, read once, never dropping: it blocks while `queueCapacity` frames wait)
/// → ``FrameScheduler`` → one or more ``InferenceWorker``s, each on its own thread with its own detector (replicas
/// share the compiled weights), inferring successive frames at once → ``DeliveryStage`` (puts the frames back in
/// order; tracker, event stage, the record encoder) → the caller's ``OutputQueue``, which should wait for room rather
/// than drop (``OverflowPolicy/wait``). The records do not depend on the number of workers.
///
/// Every input is an independent stream (its tracker starts at track 1). A live input (a URL, a device) is read once
/// too, until it ends, with back-pressure instead of drops.
public struct DetectPipeline: Sendable {
    /// The compiled detectors, one per worker; each used from one worker thread at a time (inputs run one after the
    /// other).
    private let detectors: DetectorBox
    private let options: DetectOptions
    private let output: OutputQueue
    private let logger: Logger

    /// Most workers one pipeline runs (each adds a replica's activation buffers).
    public static let maximumWorkers = 64

    /// - Parameters:
    ///   - detector: compiled without a label filter (the worker filters, as the daemon's do) and with
    ///     `minimumScore` at most `options.threshold`.
    ///   - workers: frames inferred at once (1…``maximumWorkers``), each by a worker thread of its own; the others run
    ///     replicas of `detector` (made here, not warmed up: no inference runs on the caller's task).
    ///   - output: where every input's lines go; the caller runs and finishes it.
    ///   - logger: receives the stages' logs (the failures also reach each input's ``StreamReport``).
    public init(detector: Detector, workers: Int = 1, options: DetectOptions, output: OutputQueue, logger: Logger) throws {
        precondition((1...Self.maximumWorkers).contains(workers), "DetectPipeline: workers \(workers) outside 1…\(Self.maximumWorkers)")
        var detectors = [detector]
        for _ in 1..<workers { detectors.append(try detector.replica()) }
        self.detectors = DetectorBox(detectors)
        self.options = options
        self.output = output
        self.logger = logger
    }

    /// Runs `input` through the stages; returns once every record of it is queued in the output. Failures (the input
    /// cannot be opened or read, inference failed) and the reader's warnings are in `report`; `delivered` is called
    /// with each frame index written, in order.
    public func process(_ input: String, report: StreamReport, delivered: @escaping @Sendable (_ frameIndex: Int) -> Void) async throws {
        let stream = options.stream(for: input)
        let metrics = PipelineMetrics(streamNames: [input])
        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let scheduler = FrameScheduler(
            liveStreams: [false], capacity: options.queueCapacity, metrics: metrics, deliver: { continuation.yield($0) })
        let workers = detectors.detectors.map { detector in
            InferenceWorker(
                detectors: [detector], streamModel: [0], streams: [stream], scheduler: scheduler, metrics: metrics,
                logger: logger, report: report, deliver: { continuation.yield($0) })
        }
        let p = detectors.detectors[0].manifest.preprocessing
        var source = SourceRunner(
            index: 0, configuration: stream, networkInputSize: (p.inputWidth, p.inputHeight), scheduler: scheduler,
            metrics: metrics, logger: logger)
        source.report = report
        let delivery = DeliveryStage(
            streams: [stream], trackerConfiguration: options.tracker, emptyFrames: true, scheduler: scheduler,
            metrics: metrics, logger: logger, outputs: [[output]], observer: ProgressObserver(delivered: delivered),
            eventStages: ZoneEventStage.factory(metrics: metrics), kinds: options.kinds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [source] in await runOnThread("ssdd-decode") { source.run() } }
            group.addTask {
                // Each worker returns once the scheduler runs dry; delivery's items end when all have.
                await withTaskGroup(of: Void.self) { inference in
                    for (i, worker) in workers.enumerated() {
                        inference.addTask { await runOnThread("ssdd-infer-\(i)") { worker.run() } }
                    }
                }
                continuation.finish()
            }
            group.addTask {
                do {
                    try await delivery.run(items)
                } catch {
                    // Nothing will release the source's frames any more: stop it, so the threads end.
                    scheduler.stopSources()
                    throw error
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Hands each delivered frame index to `ssdd detect`'s progress display.
private struct ProgressObserver: DeliveryObserver {
    let delivered: @Sendable (Int) -> Void

    func delivered(stream: Int, frame: Int, nextTrackID: Int) { delivered(frame) }
}

/// The detectors, one per worker, shared by the sequential inputs' workers.
private final class DetectorBox: @unchecked Sendable {
    // Unchecked: inputs are processed one after the other and each worker has a detector of its own, so one thread at
    // a time uses each (the network itself traps on concurrent use).
    let detectors: [Detector]

    init(_ detectors: [Detector]) { self.detectors = detectors }
}
