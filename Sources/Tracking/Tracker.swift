import Geometry

/// A SORT-class multi-object tracker for one stream.
///
/// Feed it every processed frame in order with `update(frameIndex:time:detections:)`; call `finish()` at the
/// end of the stream. It is a value type with no clock or randomness: the same sequence of calls always
/// produces the same results.
///
/// Lifecycle of a track:
/// 1. An unmatched, trackable detection starts a *tentative* track.
/// 2. After `minHits` consecutive matched frames it is *confirmed*: it gets the next id (1, 2, …) and is
///    listed in `TrackerUpdate.started`. A tentative track that misses a frame is discarded without an id.
/// 3. A confirmed track coasts on its Kalman prediction while unmatched and ends once it has been unmatched
///    for more than `maxAge` frames; it is then listed in `TrackerUpdate.ended`.
public struct Tracker: Sendable {
    /// The validated configuration.
    public let configuration: TrackerConfiguration
    private var tracks: [Track] = []
    private var nextID = 1
    private var previousFrameIndex: Int?

    /// Creates an empty tracker.
    /// - Throws: `TrackingError` when `configuration` is invalid.
    /// - Parameter firstTrackID: the id of the first confirmed track (a resumed stream continues its numbering).
    public init(configuration: TrackerConfiguration = TrackerConfiguration(), firstTrackID: Int = 1) throws(TrackingError) {
        try configuration.validate()
        self.configuration = configuration
        self.nextID = max(1, firstTrackID)
    }

    /// Number of confirmed tracks currently alive (matched recently enough, not yet ended).
    public var confirmedTrackCount: Int { tracks.count { $0.id != nil } }

    /// The id the next confirmed track will get.
    public var nextTrackID: Int { nextID }

    /// Advances the tracker by one frame.
    ///
    /// - Parameters:
    ///   - frameIndex: index of the frame in its stream; must increase from call to call. The Kalman
    ///     prediction steps by the difference to the previous index (at least 1), so skipped or dropped frames
    ///     are bridged at constant velocity.
    ///   - time: presentation time of the frame in seconds; only copied into the summaries.
    ///   - detections: this frame's detections, in any order. Boxes that are not `isTrackable` are passed
    ///     through with a `nil` track id and never start a track.
    /// - Returns: each detection with its confirmed track id, and the tracks started and ended on this frame.
    public mutating func update(frameIndex: Int, time: Double, detections: [TrackDetection]) -> TrackerUpdate {
        let steps = previousFrameIndex.map { max(1, frameIndex - $0) } ?? 1
        previousFrameIndex = frameIndex
        var ended: [EndedTrack] = []

        for index in tracks.indices { tracks[index].predict(steps: steps) }
        // A filter that diverged (non-finite state) cannot be associated any more; end it now.
        ended += tracks.filter { !$0.filter.isFinite && $0.id != nil }.map(\.summary)
        tracks.removeAll { !$0.filter.isFinite }

        let matches = Self.associate(detections: detections, tracks: tracks, iouThreshold: configuration.iouThreshold)
        var trackOfDetection = [Int?](repeating: nil, count: detections.count)
        for (detectionIndex, trackIndex) in matches {
            tracks[trackIndex].match(detections[detectionIndex], frameIndex: frameIndex, time: time)
            trackOfDetection[detectionIndex] = trackIndex
        }
        for (detectionIndex, detection) in detections.enumerated()
        where trackOfDetection[detectionIndex] == nil && detection.box.isTrackable {
            trackOfDetection[detectionIndex] = tracks.count
            tracks.append(Track(detection: detection, frameIndex: frameIndex, time: time))
        }

        var started: [TrackSummary] = []
        for index in tracks.indices
        where tracks[index].id == nil && tracks[index].framesSinceUpdate == 0 && tracks[index].hitStreak >= configuration.minHits {
            tracks[index].id = nextID
            nextID += 1
            started.append(tracks[index].summary)
        }

        let tracked = detections.enumerated().map { detectionIndex, detection in
            TrackedDetection(detection: detection, trackID: trackOfDetection[detectionIndex].flatMap { tracks[$0].id })
        }

        ended += tracks.filter { $0.id != nil && $0.framesSinceUpdate > configuration.maxAge }.map(\.summary)
        tracks.removeAll { track in
            track.id == nil ? track.framesSinceUpdate > 0 : track.framesSinceUpdate > configuration.maxAge
        }
        ended.sort { $0.id < $1.id }
        return TrackerUpdate(frameIndex: frameIndex, time: time, detections: tracked, started: started, ended: ended)
    }

    /// Ends every track at the end of the stream and returns the confirmed ones, ordered by id. Tentative
    /// tracks are discarded. The tracker is empty afterwards but keeps counting ids from where it was.
    public mutating func finish() -> [EndedTrack] {
        let ended = tracks.filter { $0.id != nil }.map(\.summary).sorted { $0.id < $1.id }
        tracks.removeAll()
        previousFrameIndex = nil
        return ended
    }
}
