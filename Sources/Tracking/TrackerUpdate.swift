/// The result of `Tracker.update(frameIndex:time:detections:)` for one frame.
public struct TrackerUpdate: Sendable, Hashable {
    /// The frame index passed in.
    public var frameIndex: Int
    /// The time passed in.
    public var time: Double
    /// Every input detection, in input order, with the id of its confirmed track (or `nil`).
    public var detections: [TrackedDetection]
    /// Tracks confirmed on this frame, ordered by id. Their detection on this frame carries the id.
    public var started: [TrackSummary]
    /// Confirmed tracks that ended on this frame (unmatched for more than `maxAge` frames), ordered by id.
    /// Their `lastTime`/`lastFrameIndex` refer to the last frame they were matched, not this one.
    public var ended: [EndedTrack]

    /// Creates an update.
    public init(frameIndex: Int, time: Double, detections: [TrackedDetection], started: [TrackSummary], ended: [EndedTrack]) {
        self.frameIndex = frameIndex
        self.time = time
        self.detections = detections
        self.started = started
        self.ended = ended
    }
}
