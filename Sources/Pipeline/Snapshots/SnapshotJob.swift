import Geometry
import Imaging
import MediaIO
import Sinks

/// One picture for the ``SnapshotWriter`` to draw, encode and write.
struct SnapshotJob: Sendable {
    /// A track's best frame (with its crop), or a stream's `latest.jpg`.
    enum Kind: Sendable, Equatable {
        case track
        case latest
    }

    let kind: Kind
    /// The stream's index (for the per-stream metrics).
    let stream: Int
    /// The frame's pixels, undrawn: at the source size, or at the network input size with `resize = "fast"`; a decoded
    /// frame is converted to RGB by the writer, when it draws the picture (a job it drops never is).
    let pixels: FramePixels
    /// The source frame size (the detections' coordinate space).
    let sourceWidth: Int
    let sourceHeight: Int
    /// The detections to draw, in source pixels.
    let detections: [DetectionRecord]
    /// The zones and lines to draw.
    let overlay: SceneOverlay
    /// The picture's path relative to the snapshot directory.
    let picture: String
    /// The crop's relative path and the box to cut out (source pixels), for a track with `crop = true`.
    let crop: (path: String, box: Box)?
}
