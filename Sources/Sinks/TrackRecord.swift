/// A `track` record: a confirmed track started or ended.
///
/// ```json
/// {"bestScore":0.93,"class":1,"event":"end","firstFrame":100,"firstPts":4,"frames":57,"kind":"track",
///  "label":"person","lastFrame":160,"lastPts":6.4,"stream":"cam1","time":1767225600.25,"track":3,"v":1}
/// ```
/// On `start`, the `last…`, `frames` and `bestScore` fields describe the track up to its confirmation.
public struct TrackRecord: Sendable, Hashable, Encodable {
    /// Whether the track started or ended.
    public enum Event: String, Sendable, Hashable, Codable {
        /// The track was confirmed and got its id.
        case start
        /// The track went unmatched for too long, or its stream ended.
        case end
    }

    /// Stream name (`"stream"`).
    public var stream: String
    /// `start` or `end` (`"event"`).
    public var event: Event
    /// Track id, unique within the stream (`"track"`).
    public var trackID: Int
    /// Class label (`"label"`).
    public var label: String
    /// Class index (`"class"`).
    public var classIndex: Int
    /// Presentation time of the first and last matched frames, seconds (`"firstPts"`, `"lastPts"`).
    public var firstPts: Double, lastPts: Double
    /// Index of the first and last matched frames (`"firstFrame"`, `"lastFrame"`).
    public var firstFrameIndex: Int, lastFrameIndex: Int
    /// Number of matched frames (`"frames"`).
    public var frameCount: Int
    /// Highest detection score (`"bestScore"`).
    public var bestScore: Double
    /// Wall-clock time the record was made, seconds since the Unix epoch (`"time"`).
    public var time: Double
    /// On `end`, in a stream with zones: the zones the track entered, in order (`"zones"`); nil (omitted) otherwise.
    public var zones: [String]? = nil
    /// On `end`, in a stream with lines: the lines the track crossed, in order (`"lines"`); nil (omitted) otherwise.
    public var lines: [String]? = nil
    /// On `end`, with `[output.snapshots]`: the track's best frame as JPEG, relative to the snapshot directory
    /// (`"snapshot"`); absent (not `null`) otherwise, so records without snapshots keep their bytes.
    public var snapshot: String?
    /// On `end`, with `[output.snapshots] crop`: the track's box cut out of that frame (`"crop"`); absent otherwise.
    public var crop: String?
    /// `false` when the record was made on a frame the detector did not run on (a stream with `motion = true` saw no
    /// motion; the track was confirmed or ended on reused detections); nil (omitted) otherwise (`"inferred"`).
    public var inferred: Bool? = nil

    /// Creates a track record.
    public init(
        stream: String, event: Event, trackID: Int, label: String, classIndex: Int, firstPts: Double, lastPts: Double,
        firstFrameIndex: Int, lastFrameIndex: Int, frameCount: Int, bestScore: Double, time: Double
    ) {
        self.stream = stream
        self.event = event
        self.trackID = trackID
        self.label = label
        self.classIndex = classIndex
        self.firstPts = firstPts
        self.lastPts = lastPts
        self.firstFrameIndex = firstFrameIndex
        self.lastFrameIndex = lastFrameIndex
        self.frameCount = frameCount
        self.bestScore = bestScore
        self.time = time
    }

    private enum CodingKeys: String, CodingKey {
        case stream, event, trackID = "track", label, classIndex = "class", firstPts, lastPts
        case firstFrameIndex = "firstFrame", lastFrameIndex = "lastFrame", frameCount = "frames", bestScore, time
        case zones, lines
        case snapshot, crop
        case inferred
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeEnvelope(kind: .track)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stream, forKey: .stream)
        try container.encode(event, forKey: .event)
        try container.encode(trackID, forKey: .trackID)
        try container.encode(label, forKey: .label)
        try container.encode(classIndex, forKey: .classIndex)
        try container.encode(firstPts, forKey: .firstPts)
        try container.encode(lastPts, forKey: .lastPts)
        try container.encode(firstFrameIndex, forKey: .firstFrameIndex)
        try container.encode(lastFrameIndex, forKey: .lastFrameIndex)
        try container.encode(frameCount, forKey: .frameCount)
        try container.encode(bestScore, forKey: .bestScore)
        try container.encode(time, forKey: .time)
        try container.encodeIfPresent(zones, forKey: .zones)
        try container.encodeIfPresent(lines, forKey: .lines)
        try container.encodeIfPresent(snapshot, forKey: .snapshot)
        try container.encodeIfPresent(crop, forKey: .crop)
        try container.encodeIfPresent(inferred, forKey: .inferred)
    }
}
