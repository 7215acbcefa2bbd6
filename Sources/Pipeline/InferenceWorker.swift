import Detection
import Foundation
import Logging
import MediaIO
import ModelStore
import TensorEngine

/// One inference thread: takes frames from the scheduler (oldest first across streams), runs the stream's detector,
/// applies the stream's label filter and per-label thresholds, and hands the result to delivery.
///
/// Each worker owns its own `Detector`s (a network runs one frame at a time), one per distinct model file; the
/// daemon compiles them once and gives the other workers replicas that share the weights.
final class InferenceWorker: @unchecked Sendable {
    // Unchecked: `detectors` is created in `init` and afterwards touched only by the worker's own thread.
    private let detectors: [Detector?]
    private let streamDetector: [Int?]
    private let streams: [StreamConfiguration]
    private let scheduler: FrameScheduler
    private let metrics: PipelineMetrics
    private let deliver: @Sendable (DeliveryItem) -> Void
    private let logger: Logger
    private let done = DispatchSemaphore(value: 0)

    /// A worker running `detectors` (one per distinct model; nil where the model failed to load, whose streams never
    /// send frames). Give each worker its own detectors: the first worker the compiled ones, the others
    /// ``replicas(of:)`` of them, so the compiled weights exist once however many workers there are.
    init(
        detectors: [Detector?], streamModel: [Int?], streams: [StreamConfiguration], scheduler: FrameScheduler,
        metrics: PipelineMetrics, logger: Logger, deliver: @escaping @Sendable (DeliveryItem) -> Void
    ) {
        self.detectors = detectors
        self.streamDetector = streamModel
        self.streams = streams
        self.scheduler = scheduler
        self.metrics = metrics
        self.logger = logger
        self.deliver = deliver
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

    func start(name: String) {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Blocks until the worker has exited (after the scheduler ran dry). Call from a thread, not the cooperative pool.
    func join() { done.wait() }

    private func run() {
        while let item = scheduler.take() {
            let stream = streams[item.stream]
            let start = DispatchTime.now().uptimeNanoseconds
            var detections: [Detection] = []
            do {
                guard let index = streamDetector[item.stream], let detector = detectors[index] else { throw DetectionError.invalidModel("the stream's model did not load") }
                detections = try detector.detect(item.frame.image)
            } catch {
                logger.error("inference failed: \(error)", metadata: ["stream": "\(stream.name)", "frame": "\(item.frameIndex)"])
            }
            detections = detections.filter { d in
                d.score >= stream.minimumScore(for: d.label) && (stream.labels?.contains(d.label) ?? true)
            }
            metrics.inferred(stream: item.stream, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            deliver(.frame(item, detections))
        }
    }
}
