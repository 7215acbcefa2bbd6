import Detection
import Imaging

/// What an ``InferenceWorker`` runs on each frame: the compiled ``Detector``, or a fake in tests (so the pipeline's
/// stages can be tested without a model).
///
/// - Important: a worker calls its detectors from its own thread only, one frame at a time.
protocol FrameDetector: AnyObject {
    /// The detections in `image`, in source pixels.
    func detect(_ image: RGBImage) throws -> [Detection]
}

extension Detector: FrameDetector {}
