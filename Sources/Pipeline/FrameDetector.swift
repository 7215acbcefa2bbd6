import Detection
import Imaging

/// What an ``InferenceWorker`` runs on each frame: the compiled ``Detector``, or a fake in tests (so the pipeline's
/// stages can be tested without a model).
///
/// - Important: a worker calls its detectors from its own thread only, one frame at a time.
protocol FrameDetector: AnyObject {
    /// The detections in `image`, in source pixels.
    func detect(_ image: RGBImage) throws -> [Detection]

    /// The detections in each of `images`, in order; the same as ``detect(_:)`` on each (a ``Detector`` runs them in
    /// one forward pass, ``Detection/Detector/detect(batch:)``).
    func detect(batch images: [RGBImage]) throws -> [[Detection]]
}

extension FrameDetector {
    /// One ``detect(_:)`` per image (fakes in tests).
    func detect(batch images: [RGBImage]) throws -> [[Detection]] {
        try images.map { try detect($0) }
    }
}

extension Detector: FrameDetector {}
