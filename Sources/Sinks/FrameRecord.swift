import Geometry

/// A `frame` record: one processed frame of one stream.
///
/// ```json
/// {"detections":[{"box":[12.5,30,80,200],"class":1,"label":"person","score":0.91,"track":3}],
///  "frame":1234,"height":480,"kind":"frame","pts":49.36,"stream":"cam1","time":1767225600.25,"v":1,"width":640}
/// ```
public struct FrameRecord: Sendable, Hashable, Encodable {
    /// Stream name from the configuration (`"stream"`).
    public var stream: String
    /// Index of the frame in its stream, counting decoded frames from 0 (`"frame"`).
    public var frameIndex: Int
    /// Presentation time in seconds, or `nil` (written as `null`) when the source has none (`"pts"`).
    public var pts: Double?
    /// Wall-clock time the frame was decoded, seconds since the Unix epoch (`"time"`).
    public var time: Double
    /// Source frame width in pixels (`"width"`).
    public var width: Int
    /// Source frame height in pixels (`"height"`).
    public var height: Int
    /// Detections after thresholds and NMS (`"detections"`), possibly empty.
    public var detections: [DetectionRecord]
    /// `false` when the detector did not run on this frame (a stream with `motion = true` saw no motion): the
    /// detections are the stream's last inferred ones, tracked on. nil (the key omitted) for an inferred frame, so
    /// streams without motion gating write the same bytes as before (`"inferred"`).
    public var inferred: Bool? = nil

    /// Creates a frame record.
    public init(
        stream: String, frameIndex: Int, pts: Double?, time: Double, width: Int, height: Int, detections: [DetectionRecord],
        inferred: Bool? = nil
    ) {
        self.inferred = inferred
        self.stream = stream
        self.frameIndex = frameIndex
        self.pts = pts
        self.time = time
        self.width = width
        self.height = height
        self.detections = detections
    }

    private enum CodingKeys: String, CodingKey {
        case stream, frameIndex = "frame", pts, time, width, height, detections
        case inferred
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeEnvelope(kind: .frame)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stream, forKey: .stream)
        try container.encode(frameIndex, forKey: .frameIndex)
        try container.encode(pts, forKey: .pts)
        try container.encode(time, forKey: .time)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(detections, forKey: .detections)
        try container.encodeIfPresent(inferred, forKey: .inferred)
    }
}

/// One detection inside a `FrameRecord`.
public struct DetectionRecord: Sendable, Hashable, Encodable {
    /// Confirmed track id, or `nil` (written as `null`) while the track is tentative (`"track"`).
    public var trackID: Int?
    /// Class label (`"label"`).
    public var label: String
    /// Class index in the model's label map (`"class"`).
    public var classIndex: Int
    /// Detector score in [0, 1] (`"score"`).
    public var score: Double
    /// Box corners in source pixels, written as `"box": [x1, y1, x2, y2]`.
    public var box: Box
    /// The stream's zones the detection's anchor is in (`"zones"`), set by the event stage of a stream with zones;
    /// nil (the key omitted) for a stream without zones.
    public var zones: [String]? = nil

    /// Creates a detection record.
    public init(trackID: Int?, label: String, classIndex: Int, score: Double, box: Box) {
        self.trackID = trackID
        self.label = label
        self.classIndex = classIndex
        self.score = score
        self.box = box
    }

    private enum CodingKeys: String, CodingKey {
        case trackID = "track", label, classIndex = "class", score, box, zones
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(trackID, forKey: .trackID)
        try container.encode(label, forKey: .label)
        try container.encode(classIndex, forKey: .classIndex)
        try container.encode(score, forKey: .score)
        try container.encode([box.x1, box.y1, box.x2, box.y2], forKey: .box)
        try container.encodeIfPresent(zones, forKey: .zones)
    }
}
