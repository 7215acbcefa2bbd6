import Detection
import Imaging
import MediaIO
import Sinks

/// A frame a source accepted, waiting for an inference worker. It holds the decoded pixels; nothing after
/// inference does (see ``InferredFrame``).
struct WorkItem: Sendable {
    let stream: Int
    /// Position in the stream's delivery order.
    let sequence: Int
    /// Frame index within the stream (across reconnects).
    let frameIndex: Int
    let frame: VideoFrame
    /// Wall-clock time the frame was decoded (seconds since the epoch) and monotonic nanoseconds for latency.
    let decodedAt: Double
    let decodedNanoseconds: UInt64

    /// What delivery needs of this frame once inference is done: everything but the pixels.
    var inferred: InferredFrame { inferred(keepingPixels: false) }

    /// What delivery needs of this frame, with its pixels when `keepingPixels` (for snapshots, ``FrameRetention``).
    func inferred(keepingPixels: Bool) -> InferredFrame {
        InferredFrame(
            stream: stream, sequence: sequence, frameIndex: frameIndex, pts: frame.presentationTime,
            sourceWidth: frame.sourceWidth, sourceHeight: frame.sourceHeight, decodedAt: decodedAt,
            decodedNanoseconds: decodedNanoseconds, pixels: keepingPixels ? frame.pixels : nil)
    }
}

/// An inferred frame as it rides through the reorder buffer to delivery: its place in the stream, its timing and its
/// source size. The RGB pixels stay with the worker (they are released as soon as inference is done), except for the
/// frames snapshots need (``FrameRetention``).
struct InferredFrame: Sendable {
    let stream: Int
    /// Position in the stream's delivery order.
    let sequence: Int
    /// Frame index within the stream (across reconnects).
    let frameIndex: Int
    /// Presentation time in seconds; nil when the stream has none.
    let pts: Double?
    /// Size of the frame as decoded (the detections' coordinate space).
    let sourceWidth: Int
    let sourceHeight: Int
    /// Wall-clock time the frame was decoded (seconds since the epoch) and monotonic nanoseconds for latency.
    let decodedAt: Double
    let decodedNanoseconds: UInt64
    /// The frame's pixels, only when ``FrameRetention`` kept them for snapshots; nil otherwise. A decoded frame stays
    /// unconverted until a snapshot of it is drawn (``FramePixels``).
    var pixels: FramePixels? = nil
    /// The motion gate held the frame back from the detector: delivery reuses the stream's last detections and its
    /// records say `"inferred": false`.
    var gated = false
}

/// What reaches the delivery stage, tagged with the stream and its delivery sequence number.
enum DeliveryItem: Sendable {
    /// An inferred frame and its detections (after the stream's thresholds and label filter).
    case frame(InferredFrame, [Detection])
    /// A stream state change, ordered with the frames around it.
    case state(stream: Int, sequence: Int, StreamRecord.State, message: String?, time: Double, reason: StreamRecord.Reason? = nil)
    /// A stream slot added at run time (a reload), announced before any item of it; it has no sequence number.
    case added(DeliverySlot)
    /// The stream will send nothing more; `complete` when a file was read to its end.
    case finished(stream: Int, sequence: Int, complete: Bool)

    var stream: Int {
        switch self {
        case .frame(let frame, _): frame.stream
        case .state(let stream, _, _, _, _, _), .finished(let stream, _, _): stream
        case .added(let slot): slot.index
        }
    }

    var sequence: Int {
        switch self {
        case .frame(let frame, _): frame.sequence
        case .state(_, let sequence, _, _, _, _), .finished(_, let sequence, _): sequence
        case .added: -1
        }
    }
}
