/// Tuning of a `Tracker`. Read from the daemon's `[tracker]` configuration section and validated at load.
public struct TrackerConfiguration: Sendable, Hashable, Codable {
    /// Number of consecutive frames a track may go unmatched before it ends. With 0 a track ends on its first
    /// miss. Counted in `update` calls, so with "every N frames" it is in processed frames. Default 30.
    public var maxAge: Int
    /// Number of consecutive matched frames (including the first) before a track is confirmed, gets an id and
    /// is reported. 1 confirms on first sight. A tentative track that misses a frame is discarded. Default 3.
    public var minHits: Int
    /// Minimum IoU between a detection and a track's predicted box for them to be associated, in (0, 1].
    /// Default 0.3.
    public var iouThreshold: Double

    /// Creates a configuration; call `validate()` before use when the values come from a user.
    public init(maxAge: Int = 30, minHits: Int = 3, iouThreshold: Double = 0.3) {
        self.maxAge = maxAge
        self.minHits = minHits
        self.iouThreshold = iouThreshold
    }

    /// Checks every field and throws a `TrackingError` naming the first bad key.
    public func validate() throws(TrackingError) {
        guard maxAge >= 0 else {
            throw .invalidConfiguration(key: "tracker.maxAge", expected: "an integer >= 0", actual: "\(maxAge)")
        }
        guard minHits >= 1 else {
            throw .invalidConfiguration(key: "tracker.minHits", expected: "an integer >= 1", actual: "\(minHits)")
        }
        guard iouThreshold.isFinite, iouThreshold > 0, iouThreshold <= 1 else {
            throw .invalidConfiguration(key: "tracker.iouThreshold", expected: "a number in (0, 1]", actual: "\(iouThreshold)")
        }
    }
}
