import Detection
import MediaIO
import Sinks

/// A frame a source accepted, waiting for an inference worker.
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
}

/// What reaches the delivery stage, tagged with the stream and its delivery sequence number.
enum DeliveryItem: Sendable {
    /// An inferred frame.
    case frame(WorkItem, [Detection])
    /// A stream state change, ordered with the frames around it.
    case state(stream: Int, sequence: Int, StreamRecord.State, message: String?, time: Double)
    /// The stream will send nothing more; `complete` when a file was read to its end.
    case finished(stream: Int, sequence: Int, complete: Bool)

    var stream: Int {
        switch self {
        case .frame(let item, _): item.stream
        case .state(let stream, _, _, _, _), .finished(let stream, _, _): stream
        }
    }

    var sequence: Int {
        switch self {
        case .frame(let item, _): item.sequence
        case .state(_, let sequence, _, _, _), .finished(_, let sequence, _): sequence
        }
    }
}
