import Detection
import Foundation
import Imaging
import Logging
import MediaIO
import ModelStore
import TensorEngine

/// One inference thread: takes frames from the scheduler (oldest first across streams), runs the stream's detector,
/// applies the stream's label filter and per-label thresholds, and hands the result to delivery — without the frame's
/// pixels, which are released here (``InferredFrame``).
///
/// Each worker owns its own `Detector`s (a network runs one frame at a time), one per distinct model file; the
/// daemon compiles them once and gives the other workers replicas that share the weights.
final class InferenceWorker: @unchecked Sendable {
    // Unchecked: `slots` is guarded by `lock`; the detectors in it are used only by the thread running `run()` (a
    // reload hands a worker detectors of its own).
    /// One stream slot: its settings and this worker's detector of its model (nil where the model failed to load,
    /// whose streams never send frames).
    private struct Slot {
        let configuration: StreamConfiguration
        let detector: (any FrameDetector)?
    }

    private let lock = NSLock()
    /// By slot (see ``FrameScheduler``); a reload appends.
    private var slots: [Slot]
    let scheduler: FrameScheduler
    private let metrics: PipelineMetrics
    private let deliver: @Sendable (DeliveryItem) -> Void
    let logger: Logger
    /// Where `ssdd detect` learns of inference failures (the daemon logs them).
    let report: StreamReport?
    /// Which frames keep their pixels for snapshots; nil keeps none.
    private let retention: FrameRetention?
    /// Most frames one forward pass runs (`[workers] max_batch`): with more than 1, the worker takes up to this many
    /// waiting frames of streams sharing a detector and runs them together (``runBatches()``).
    let maxBatch: Int

    /// A worker running `detectors` (one per distinct model; nil where the model failed to load, whose streams never
    /// send frames). Give each worker its own detectors: the first worker the compiled ones, the others
    /// ``replicas(of:)`` of them, so the compiled weights exist once however many workers there are.
    init(
        detectors: [(any FrameDetector)?], streamModel: [Int?], streams: [StreamConfiguration], scheduler: FrameScheduler,
        metrics: PipelineMetrics, logger: Logger, report: StreamReport? = nil, retention: FrameRetention? = nil, maxBatch: Int = 1,
        deliver: @escaping @Sendable (DeliveryItem) -> Void
    ) {
        self.maxBatch = max(1, maxBatch)
        self.report = report
        self.retention = retention
        slots = streams.indices.map { i in
            Slot(configuration: streams[i], detector: i < streamModel.count ? streamModel[i].flatMap { detectors[$0] } : nil)
        }
        self.scheduler = scheduler
        self.metrics = metrics
        self.logger = logger
        self.deliver = deliver
    }

    /// Adds stream slot `slot` (a reload added or restarted a stream), inferred by `detector` (this worker's own).
    func addSlot(_ slot: Int, configuration: StreamConfiguration, detector: (any FrameDetector)?) {
        lock.withLock {
            while slots.count < slot { slots.append(Slot(configuration: configuration, detector: nil)) }
            if slot == slots.count { slots.append(Slot(configuration: configuration, detector: detector)) }
        }
    }

    /// Detectors sharing the compiled weights of `detectors`, for another worker.
    static func replicas(of detectors: [Detector?]) throws -> [Detector?] {
        try detectors.map { try $0.map(replica(of:)) }
    }

    /// A detector sharing the compiled weights of `detector`, warmed up: a replica has buffers of its own, and touching
    /// them now keeps its first frames from being late.
    static func replica(of detector: Detector) throws -> Detector {
        let replica = try detector.replica()
        try warmUp(replica)
        return replica
    }

    /// Runs one pass of `maxBatch` blank images through `detector`, so the first-touch page faults of its weights and
    /// of every activation buffer happen before frames arrive.
    static func warmUp(_ detector: Detector) throws {
        let p = detector.manifest.preprocessing
        let blank = RGBImage(width: p.inputWidth, height: p.inputHeight, pixels: [UInt8](repeating: 0, count: p.inputWidth * p.inputHeight * 3))
        _ = try detector.detect(batch: Array(repeating: blank, count: detector.options.maxBatch))
    }

    /// Compiles the detector of `model` for the streams that use it (filtering at the lowest threshold any of them
    /// uses; streams filter further) and runs one pass: first-touch page faults on the weights and buffers would
    /// otherwise delay the first frames of every stream by a few hundred milliseconds.
    static func compile(
        model: ModelFile, streams: [StreamConfiguration], threads: Int, winograd: Bool, precision: Precision = .fp32, maxBatch: Int = 1
    ) throws -> Detector {
        let lowest = streams.map(\.lowestThreshold).min()
        var options = DetectorOptions(threads: threads, minimumScore: lowest, winograd: winograd, maxBatch: maxBatch)
        options.precision = precision
        let detector = try Detector(model: model, options: options)
        try warmUp(detector)
        return detector
    }

    /// Takes and infers frames until the scheduler runs dry (every stream finished and every accepted frame taken).
    /// Blocks the calling thread: ``InferenceService`` runs it on a thread of its own and joins it.
    func run() {
        if maxBatch > 1 {
            runBatches()
            return
        }
        while let item = scheduler.take() {
            let slot = self.slot(of: item)
            let stream = slot.configuration
            let start = DispatchTime.now().uptimeNanoseconds
            var detections: [Detection] = []
            do {
                guard let detector = slot.detector else {
                    throw DetectionError.invalidModel("the stream's model did not load")
                }
                detections = try detector.detect(item.frame)
            } catch {
                logger.error("inference failed: \(error)", metadata: ["stream": "\(stream.name)", "frame": "\(item.frameIndex)"])
                report?.failed("\(stream.name): frame \(item.frameIndex): inference failed: \(error)")
            }
            complete(item, stream: stream, detections: detections, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }

    /// The slot of `item`'s stream (its settings and this worker's detector).
    func slot(of item: WorkItem) -> (configuration: StreamConfiguration, detector: (any FrameDetector)?) {
        let slot = lock.withLock { item.stream < slots.count ? slots[item.stream] : nil }
        guard let slot else { preconditionFailure("InferenceWorker: a frame of slot \(item.stream), which was never added") }
        return (slot.configuration, slot.detector)
    }

    /// Whether streams `first` and `other` use the same detector of this worker (so their frames can share a forward
    /// pass). A stream whose model did not load shares with none.
    func sharesDetector(_ first: Int, _ other: Int) -> Bool {
        lock.withLock {
            guard first < slots.count, other < slots.count, let a = slots[first].detector, let b = slots[other].detector else {
                return false
            }
            return a === b
        }
    }

    /// Applies the stream's label filter and thresholds to `detections` of `item`, counts `seconds` of inference for it
    /// and hands it to delivery (releasing its pixels unless snapshots keep them).
    func complete(_ item: WorkItem, stream: StreamConfiguration, detections: [Detection], seconds: Double) {
        let detections = detections.filter { d in
            d.score >= stream.minimumScore(for: d.label) && (stream.labels?.contains(d.label) ?? true)
        }
        metrics.inferred(stream: item.stream, seconds: seconds)
        let keep = retention?.keepsPixels(stream: item.stream, hasDetections: !detections.isEmpty, decodedNanoseconds: item.decodedNanoseconds)
        deliver(.frame(item.inferred(keepingPixels: keep ?? false), detections))
    }
}
