import Detection
import Geometry

/// One JSON line of `ssdd detect` output (schema version 1): a processed frame and its detections.
struct FrameLine: Encodable {
    /// Schema version.
    let v = 1
    let kind = "frame"
    /// Input name as given on the command line.
    let stream: String
    /// Frame index in decode order (0-based, counting frames skipped by --every/--fps).
    let frame: Int
    /// Presentation time in seconds; null when the stream has none.
    let pts: Double?
    /// Source frame size in pixels.
    let width: Int
    let height: Int
    let detections: [DetectionEntry]

    struct DetectionEntry: Encodable {
        let label: String
        /// Model output slot of the class.
        let `class`: Int
        let score: Float
        /// x1, y1, x2, y2 in source pixels.
        let box: [Float]

        init(_ d: Detection) {
            label = d.label
            `class` = d.classIndex
            score = d.score
            // The detector computes boxes in Float and widens them exactly: narrowing back restores the same Floats.
            box = [d.box.x1, d.box.y1, d.box.x2, d.box.y2].map { (Float($0) * 100).rounded() / 100 }
        }
    }
}
