import Detection
import Imaging
import MediaIO

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

    /// The detections in `frame`, in source pixels; the same as ``detect(_:)`` on its image (a ``Detector`` reads the
    /// frame's pixels row by row, so a decoded frame converts only the rows the resize reads).
    func detect(_ frame: VideoFrame) throws -> [Detection]

    /// ``detect(batch:)`` of frames: the same as ``detect(batch:)`` on their images.
    func detect(batch frames: [VideoFrame]) throws -> [[Detection]]
}

extension FrameDetector {
    /// One ``detect(_:)`` per image (fakes in tests).
    func detect(batch images: [RGBImage]) throws -> [[Detection]] {
        try images.map { try detect($0) }
    }

    /// ``detect(_:)`` of the frame's whole image (fakes in tests).
    func detect(_ frame: VideoFrame) throws -> [Detection] {
        try detect(frame.image)
    }

    /// ``detect(batch:)`` of the frames' whole images (fakes in tests).
    func detect(batch frames: [VideoFrame]) throws -> [[Detection]] {
        try detect(batch: frames.map(\.image))
    }
}

extension Detector: FrameDetector {
    func detect(_ frame: VideoFrame) throws -> [Detection] {
        try detect(frame.pixels)
    }

    func detect(batch frames: [VideoFrame]) throws -> [[Detection]] {
        try detect(batch: frames.map(\.pixels))
    }
}
