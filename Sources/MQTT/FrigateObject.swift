/// A tracked object as Frigate describes it in the `before` and `after` of its `events` messages, in Frigate's field
/// names: `id`, `camera`, `label`, `sub_label`, `score`, `top_score`, `box` [x1, y1, x2, y2] in source pixels, `area`,
/// `ratio`, `start_time`, `end_time` (`null` until the object ends), `frame_time`, `current_zones`, `entered_zones`,
/// `false_positive`, `has_snapshot`, `has_clip`. Times are seconds since the Unix epoch.
public struct FrigateObject: Sendable, Equatable, Encodable {
    /// `<start_time>-<stream>-<track>`: unique across streams and daemon restarts.
    public var id: String
    /// The stream's name.
    public var camera: String
    public var label: String
    /// The score on the latest frame the object was seen on.
    public var score: Double
    /// The highest score so far.
    public var topScore: Double
    /// [x1, y1, x2, y2], rounded to whole pixels.
    public var box: [Int]
    /// Time of the frame the object was first seen on.
    public var startTime: Double
    /// Time of the last frame it was seen on, once the object has ended; nil before.
    public var endTime: Double?
    /// Time of the frame this state comes from.
    public var frameTime: Double
    /// Zones the object is in now, in the order it entered them.
    public var currentZones: [String]
    /// Zones it has entered so far, in order.
    public var enteredZones: [String]

    /// Creates an object seen on no frame yet (box empty, times 0).
    public init(camera: String, label: String, score: Double) {
        id = ""
        self.camera = camera
        self.label = label
        self.score = score
        topScore = score
        box = [0, 0, 0, 0]
        startTime = 0
        endTime = nil
        frameTime = 0
        currentZones = []
        enteredZones = []
    }

    /// The box's area in square pixels.
    public var area: Int { max(0, box[2] - box[0]) * max(0, box[3] - box[1]) }

    /// Width over height (0 for an empty box).
    public var ratio: Double {
        let height = box[3] - box[1]
        return height > 0 ? Double(box[2] - box[0]) / Double(height) : 0
    }

    private enum CodingKeys: String, CodingKey {
        case id, camera, label, subLabel = "sub_label", score, topScore = "top_score", box, area, ratio
        case startTime = "start_time", endTime = "end_time", frameTime = "frame_time", currentZones = "current_zones"
        case enteredZones = "entered_zones", falsePositive = "false_positive", hasSnapshot = "has_snapshot", hasClip = "has_clip"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(camera, forKey: .camera)
        try container.encode(label, forKey: .label)
        try container.encodeNil(forKey: .subLabel)
        try container.encode(score, forKey: .score)
        try container.encode(topScore, forKey: .topScore)
        try container.encode(box, forKey: .box)
        try container.encode(area, forKey: .area)
        try container.encode(ratio, forKey: .ratio)
        try container.encode(startTime, forKey: .startTime)
        if let endTime { try container.encode(endTime, forKey: .endTime) } else { try container.encodeNil(forKey: .endTime) }
        try container.encode(frameTime, forKey: .frameTime)
        try container.encode(currentZones, forKey: .currentZones)
        try container.encode(enteredZones, forKey: .enteredZones)
        // Only confirmed tracks become events; ssdd keeps no snapshots or clips.
        try container.encode(false, forKey: .falsePositive)
        try container.encode(false, forKey: .hasSnapshot)
        try container.encode(false, forKey: .hasClip)
    }
}

/// One message on `<prefix>/events`: `{"type":"new"|"update"|"end","before":{…},"after":{…}}`.
public struct FrigateEvent: Sendable, Equatable, Encodable {
    /// What changed.
    public enum Kind: String, Sendable, Equatable, Encodable {
        /// The object appeared (`before` equals `after`).
        case new
        /// It moved, its score or zones changed.
        case update
        /// It left (its track ended); `after.end_time` is set.
        case end
    }

    public var type: Kind
    /// The object as the previous message for it described it.
    public var before: FrigateObject
    /// The object now.
    public var after: FrigateObject

    public init(type: Kind, before: FrigateObject, after: FrigateObject) {
        self.type = type
        self.before = before
        self.after = after
    }
}
