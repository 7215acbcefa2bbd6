import Detection
import Geometry
import Sinks
import Tracking

// The one place where a detector's result becomes the tracker's input and a frame record's detection.

extension TrackDetection {
    /// The tracker's view of a detection: the same box, the score as `Double`.
    init(_ d: Detection) {
        self.init(label: d.label, classIndex: d.classIndex, score: Double(d.score), box: d.box)
    }
}

extension DetectionRecord {
    /// A frame record's detection: the tracked detection with its track id, corners rounded to 1/100 pixel.
    init(trackID: Int?, detection d: TrackDetection) {
        self.init(
            trackID: trackID, label: d.label, classIndex: d.classIndex, score: d.score,
            box: Box(x1: Self.round2(d.box.x1), y1: Self.round2(d.box.y1), x2: Self.round2(d.box.x2), y2: Self.round2(d.box.y2)))
    }

    private static func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}
