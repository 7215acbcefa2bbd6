/// What is known about one confirmed track: reported when it starts (is confirmed) and when it ends.
public struct TrackSummary: Sendable, Hashable, Codable {
    /// Stable id within its tracker (stream), starting at 1, never reused.
    public var id: Int
    /// Class label of every detection in the track.
    public var label: String
    /// Class index of the track's first detection.
    public var classIndex: Int
    /// `time` of the first matched frame (the first frame the object was seen, even before confirmation).
    public var firstTime: Double
    /// `time` of the last matched frame.
    public var lastTime: Double
    /// Frame index of the first matched frame.
    public var firstFrameIndex: Int
    /// Frame index of the last matched frame.
    public var lastFrameIndex: Int
    /// Number of frames on which a detection was matched to the track (frames where it coasted do not count).
    public var frameCount: Int
    /// Highest detection score among the matched frames.
    public var bestScore: Double

    /// Creates a summary.
    public init(
        id: Int, label: String, classIndex: Int, firstTime: Double, lastTime: Double, firstFrameIndex: Int,
        lastFrameIndex: Int, frameCount: Int, bestScore: Double
    ) {
        self.id = id
        self.label = label
        self.classIndex = classIndex
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.firstFrameIndex = firstFrameIndex
        self.lastFrameIndex = lastFrameIndex
        self.frameCount = frameCount
        self.bestScore = bestScore
    }
}

/// The summary of a track that ended, either because it went unmatched for more than `maxAge` frames or
/// because the stream finished.
public typealias EndedTrack = TrackSummary
