import Detection
import Foundation
import Logging
import MediaIO
import ModelStore
import TensorEngine

/// One inference thread: takes frames from the scheduler (oldest first across streams), runs the stream's detector,
/// applies the stream's label filter and per-label thresholds, and hands the result to delivery.
///
/// Each worker owns its own `Detector`s (a network runs one frame at a time), one per distinct model file.
final class InferenceWorker: @unchecked Sendable {
    // Unchecked: `detectors` is created in `init` and afterwards touched only by the worker's own thread.
    private let detectors: [Detector]
    private let streamDetector: [Int]
    private let streams: [StreamConfiguration]
    private let scheduler: FrameScheduler
    private let metrics: PipelineMetrics
    private let deliver: @Sendable (DeliveryItem) -> Void
    private let logger: Logger
    private let done = DispatchSemaphore(value: 0)

    /// Compiles one detector per model, or, given the `sibling` worker of the same daemon, replicates its detectors so
    /// the compiled weights exist once however many workers there are. Fails (before the daemon reports ready) if a
    /// model cannot be loaded.
    init(
        models: [ModelFile], streamModel: [Int], streams: [StreamConfiguration], threads: Int, winograd: Bool,
        sibling: InferenceWorker?, scheduler: FrameScheduler, metrics: PipelineMetrics, logger: Logger,
        deliver: @escaping @Sendable (DeliveryItem) -> Void
    ) throws {
        if let sibling {
            detectors = try sibling.detectors.map { try $0.replica() }
        } else {
            detectors = try models.map { model in
                // The detector filters at the lowest threshold any stream of this model uses; streams filter further.
                let lowest = zip(streams, streamModel).filter { models[$0.1].url == model.url }.map(\.0.lowestThreshold).min()
                return try Detector(model: model, options: DetectorOptions(threads: threads, minimumScore: lowest, winograd: winograd))
            }
        }
        // One pass per network before the daemon reports ready: first-touch page faults on the weights and buffers
        // would otherwise delay the first frames of every stream by a few hundred milliseconds.
        for detector in detectors {
            let p = detector.manifest.preprocessing
            _ = try detector.rawOutputs(Tensor(shape: [p.inputHeight, p.inputWidth, 3], repeating: 0))
        }
        self.streamDetector = streamModel
        self.streams = streams
        self.scheduler = scheduler
        self.metrics = metrics
        self.logger = logger
        self.deliver = deliver
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
                detections = try detectors[streamDetector[item.stream]].detect(item.frame.image)
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
