import Geometry

/// One detection handed to the tracker: what the detector saw on one frame.
public struct TrackDetection: Sendable, Hashable, Codable {
    /// Class label, e.g. `"person"`. Association is per label: a detection only matches tracks of its label.
    public var label: String
    /// Index of the class in the model's label map; carried through to the track summaries.
    public var classIndex: Int
    /// Detector confidence in [0, 1].
    public var score: Double
    /// Box in source-image pixels.
    public var box: Box

    /// Creates a detection.
    public init(label: String, classIndex: Int, score: Double, box: Box) {
        self.label = label
        self.classIndex = classIndex
        self.score = score
        self.box = box
    }
}

/// A detection of one frame together with the id of the confirmed track it belongs to.
public struct TrackedDetection: Sendable, Hashable {
    /// The input detection, unchanged.
    public var detection: TrackDetection
    /// The id of its confirmed track, or `nil` when its track is still tentative (fewer than `minHits` frames)
    /// or the box is not trackable (non-finite or empty).
    public var trackID: Int?

    /// Creates a tracked detection.
    public init(detection: TrackDetection, trackID: Int?) {
        self.detection = detection
        self.trackID = trackID
    }
}
