import Synchronization

/// Which inferred frames keep their pixels on the way to delivery, for snapshots (the inference workers ask; without
/// snapshots no frame does, and the pixels are released right after inference).
///
/// Only delivery knows, after tracking, whether a frame is a track's new best, so a worker keeps the pixels of every
/// frame with a detection; and of a frame without one when `latest.jpg` is due (its decode time at least
/// `1 / latest_fps` after the last frame kept for it). This costs no memory beyond the queues' bound: a frame keeps its
/// place in its stream's queue (`queue`) until delivery has handled it, so at most `queue` frames per stream hold
/// pixels between inference and delivery, as they did before inference. Delivery then keeps at most one frame per
/// live track (``SnapshotRecorder``).
final class FrameRetention: Sendable {
    private let latestInterval: UInt64?
    /// Whether frames with detections keep their pixels (for track pictures).
    private let tracks: Bool
    /// Per stream, the decode time (monotonic ns) of the last frame kept for `latest.jpg`.
    private let lastLatest: Mutex<[UInt64?]>

    /// A policy for `streamCount` streams with `configuration`'s `latest` settings.
    init(configuration: SnapshotConfiguration, streamCount: Int) {
        latestInterval = configuration.latest ? configuration.latestInterval : nil
        tracks = true
        lastLatest = Mutex(Array(repeating: nil, count: streamCount))
    }

    /// A policy for `streamCount` streams and what `writer` makes: latest pictures at its interval, and track
    /// pictures only when it makes them.
    init(writer: SnapshotWriter, streamCount: Int) {
        latestInterval = writer.latest?.interval
        tracks = writer.tracks
        lastLatest = Mutex(Array(repeating: nil, count: streamCount))
    }

    /// Whether the frame of `stream` decoded at `decodedNanoseconds` should keep its pixels.
    func keepsPixels(stream: Int, hasDetections: Bool, decodedNanoseconds: UInt64) -> Bool {
        if hasDetections && tracks { return true }
        guard let latestInterval else { return false }
        return lastLatest.withLock { last in
            // Workers may finish a stream's frames out of order: a frame decoded before the last one kept is never due.
            if let previous = last[stream], decodedNanoseconds < previous || decodedNanoseconds - previous < latestInterval { return false }
            last[stream] = decodedNanoseconds
            return true
        }
    }
}
