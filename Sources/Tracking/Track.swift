import Geometry

/// One track inside a `Tracker`: a Kalman filter plus the bookkeeping that becomes a `TrackSummary`.
struct Track: Sendable, Hashable {
    /// Confirmed id, or `nil` while the track is tentative.
    var id: Int?
    /// Class label; association never crosses labels.
    let label: String
    /// Class index of the first detection.
    let classIndex: Int
    /// Motion model.
    var filter: KalmanBoxFilter
    /// Box predicted for the current frame (valid after `predict`).
    var predictedBox: Box
    /// Consecutive matched frames, including the creation frame; reset to 0 by a miss.
    var hitStreak = 1
    /// Frames since the last match (0 on a matched frame).
    var framesSinceUpdate = 0
    /// Matched frames in total.
    var frameCount = 1
    /// First matched frame's index and time.
    let firstFrameIndex: Int
    let firstTime: Double
    /// Last matched frame's index and time.
    var lastFrameIndex: Int
    var lastTime: Double
    /// Highest matched score.
    var bestScore: Double

    /// A new tentative track started from `detection`.
    init(detection: TrackDetection, frameIndex: Int, time: Double) {
        label = detection.label
        classIndex = detection.classIndex
        filter = KalmanBoxFilter(box: detection.box)
        predictedBox = detection.box
        firstFrameIndex = frameIndex
        firstTime = time
        lastFrameIndex = frameIndex
        lastTime = time
        bestScore = detection.score
    }

    /// Advances the motion model by `steps` frames and records a miss until `match` says otherwise.
    mutating func predict(steps: Int) {
        filter.predict(steps: steps)
        predictedBox = filter.box
        framesSinceUpdate += 1
        if framesSinceUpdate > 1 { hitStreak = 0 }
    }

    /// Corrects the track with the detection matched on this frame.
    mutating func match(_ detection: TrackDetection, frameIndex: Int, time: Double) {
        filter.update(with: detection.box)
        framesSinceUpdate = 0
        hitStreak += 1
        frameCount += 1
        lastFrameIndex = frameIndex
        lastTime = time
        bestScore = max(bestScore, detection.score)
    }

    /// The public summary; only meaningful once the track has an id.
    var summary: TrackSummary {
        TrackSummary(
            id: id ?? 0, label: label, classIndex: classIndex, firstTime: firstTime, lastTime: lastTime,
            firstFrameIndex: firstFrameIndex, lastFrameIndex: lastFrameIndex, frameCount: frameCount, bestScore: bestScore)
    }
}
