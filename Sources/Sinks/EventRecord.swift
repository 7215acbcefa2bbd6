import Geometry

/// An `event` record: a track did something in a zone or on a line of its stream.
///
/// ```json
/// {"box":[310,200,352,330],"dwell":4.2,"event":"exit","frame":812,"kind":"event","label":"person","pts":32.48,
///  "stream":"cam1","time":1767225600.25,"track":3,"v":1,"zone":"driveway"}
/// {"box":[300,190,345,320],"direction":"in","event":"cross","frame":790,"kind":"event","label":"person","line":"door",
///  "pts":31.6,"stream":"cam1","time":1767225599.37,"track":3,"v":1}
/// ```
public struct EventRecord: Sendable, Hashable, Encodable {
    /// What happened (`"event"`).
    public enum Event: String, Sendable, Hashable, Codable {
        /// The track's anchor entered the zone.
        case enter
        /// The track's anchor left the zone (or the track ended inside it).
        case exit
        /// The track has stayed in the zone for the zone's loiter time (once per stay).
        case loiter
        /// The track's anchor crossed the line.
        case cross
    }

    /// Where it happened: a zone (`"zone"`) or a line (`"line"`), by its configured name.
    public enum Place: Sendable, Hashable {
        case zone(String)
        case line(String)

        /// The configured name.
        public var name: String {
            switch self {
            case let .zone(name), let .line(name): name
            }
        }
    }

    /// The side a line was crossed towards (`"direction"`): `in` when the anchor goes from the left of the directed
    /// segment p1 → p2 to its right as seen on the picture (y down), `out` the reverse.
    public enum Direction: String, Sendable, Hashable, Codable {
        case `in`
        case out
    }

    /// Stream name (`"stream"`).
    public var stream: String
    /// The event (`"event"`).
    public var event: Event
    /// The zone or line.
    public var place: Place
    /// Crossing direction, `cross` events only (`"direction"`, omitted otherwise).
    public var direction: Direction?
    /// Track id (`"track"`).
    public var trackID: Int
    /// Class label (`"label"`).
    public var label: String
    /// Index of the frame the event was seen on (`"frame"`).
    public var frameIndex: Int
    /// Presentation time of that frame in seconds, or `nil` (`"pts"`, written as `null`).
    public var pts: Double?
    /// Wall-clock time of that frame, seconds since the Unix epoch (`"time"`).
    public var time: Double
    /// The track's box on that frame in source pixels (`"box"`: [x1, y1, x2, y2]).
    public var box: Box
    /// Seconds the track has been in the zone, `exit` and `loiter` only (`"dwell"`, omitted otherwise).
    public var dwell: Double?

    /// Creates an event record.
    public init(
        stream: String, event: Event, place: Place, direction: Direction? = nil, trackID: Int, label: String, frameIndex: Int,
        pts: Double?, time: Double, box: Box, dwell: Double? = nil
    ) {
        self.stream = stream
        self.event = event
        self.place = place
        self.direction = direction
        self.trackID = trackID
        self.label = label
        self.frameIndex = frameIndex
        self.pts = pts
        self.time = time
        self.box = box
        self.dwell = dwell
    }

    private enum CodingKeys: String, CodingKey {
        case stream, event, zone, line, direction, trackID = "track", label, frameIndex = "frame", pts, time, box, dwell
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeEnvelope(kind: .event)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stream, forKey: .stream)
        try container.encode(event, forKey: .event)
        switch place {
        case let .zone(name): try container.encode(name, forKey: .zone)
        case let .line(name): try container.encode(name, forKey: .line)
        }
        try container.encodeIfPresent(direction, forKey: .direction)
        try container.encode(trackID, forKey: .trackID)
        try container.encode(label, forKey: .label)
        try container.encode(frameIndex, forKey: .frameIndex)
        try container.encode(pts, forKey: .pts)
        try container.encode(time, forKey: .time)
        try container.encode([box.x1, box.y1, box.x2, box.y2], forKey: .box)
        try container.encodeIfPresent(dwell, forKey: .dwell)
    }
}
