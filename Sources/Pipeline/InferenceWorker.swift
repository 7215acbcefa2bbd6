import Detection
import Foundation
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
    private let scheduler: FrameScheduler
    private let metrics: PipelineMetrics
    private let deliver: @Sendable (DeliveryItem) -> Void
    private let logger: Logger
    /// Where `ssdd detect` learns of inference failures (the daemon logs them).
    private let report: StreamReport?
    /// Which frames keep their pixels for snapshots; nil keeps none.
    private let retention: FrameRetention?

    /// A worker running `detectors` (one per distinct model; nil where the model failed to load, whose streams never
    /// send frames). Give each worker its own detectors: the first worker the compiled ones, the others
    /// ``replicas(of:)`` of them, so the compiled weights exist once however many workers there are.
    init(
        detectors: [(any FrameDetector)?], streamModel: [Int?], streams: [StreamConfiguration], scheduler: FrameScheduler,
        metrics: PipelineMetrics, logger: Logger, report: StreamReport? = nil, retention: FrameRetention? = nil,
        deliver: @escaping @Sendable (DeliveryItem) -> Void
    ) {
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
        try detectors.map { try $0?.replica() }
    }

    /// Compiles the detector of `model` for the streams that use it (filtering at the lowest threshold any of them
    /// uses; streams filter further) and runs one pass: first-touch page faults on the weights and buffers would
    /// otherwise delay the first frames of every stream by a few hundred milliseconds.
    static func compile(model: ModelFile, streams: [StreamConfiguration], threads: Int, winograd: Bool) throws -> Detector {
        let lowest = streams.map(\.lowestThreshold).min()
        let detector = try Detector(model: model, options: DetectorOptions(threads: threads, minimumScore: lowest, winograd: winograd))
        let p = detector.manifest.preprocessing
        _ = try detector.rawOutputs(Tensor(shape: [p.inputHeight, p.inputWidth, 3], repeating: 0))
        return detector
    }

    /// Takes and infers frames until the scheduler runs dry (every stream finished and every accepted frame taken).
    /// Blocks the calling thread: ``InferenceService`` runs it on a thread of its own and joins it.
    func run() {
        while let item = scheduler.take() {
            let slot = lock.withLock { item.stream < slots.count ? slots[item.stream] : nil }
            guard let slot else { preconditionFailure("InferenceWorker: a frame of slot \(item.stream), which was never added") }
            let stream = slot.configuration
            let start = DispatchTime.now().uptimeNanoseconds
            var detections: [Detection] = []
            do {
                guard let detector = slot.detector else {
                    throw DetectionError.invalidModel("the stream's model did not load")
                }
                detections = try detector.detect(item.frame.image)
            } catch {
                logger.error("inference failed: \(error)", metadata: ["stream": "\(stream.name)", "frame": "\(item.frameIndex)"])
                report?.failed("\(stream.name): frame \(item.frameIndex): inference failed: \(error)")
            }
            detections = detections.filter { d in
                d.score >= stream.minimumScore(for: d.label) && (stream.labels?.contains(d.label) ?? true)
            }
            metrics.inferred(stream: item.stream, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            let keep = retention?.keepsPixels(stream: item.stream, hasDetections: !detections.isEmpty, decodedNanoseconds: item.decodedNanoseconds)
            deliver(.frame(item.inferred(keepingPixels: keep ?? false), detections))
        }
    }
}
