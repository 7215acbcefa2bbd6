import Events
import Geometry
import Sinks

/// A scripted stream: frames of tracks placed by their bottom-centre anchor, run through an ``EventEngine``.
struct ScriptedTracks {
    /// One track on one frame: id (nil: tentative), label and anchor point (bottom-centre of a 20 × 40 box).
    struct Placement {
        var id: Int?
        var label = "person"
        var x: Double
        var y: Double
    }

    var engine: EventEngine
    var width = 640
    var height = 480
    /// Seconds per frame; pts = frame index × this (nil pts when `withoutPts`).
    var frameDuration = 0.1
    var withoutPts = false
    private(set) var frameIndex = 0
    /// Every event so far, in order.
    private(set) var events: [EventRecord] = []
    /// Every frame record after annotation, and every ended track record.
    private(set) var frames: [FrameRecord] = []
    private(set) var ended: [TrackRecord] = []

    init(zones: [ZoneDefinition] = [], lines: [LineDefinition] = []) {
        engine = EventEngine(stream: "cam", zones: zones, lines: lines)
    }

    static func box(x: Double, y: Double) -> Box { Box(x1: x - 10, y1: y - 40, x2: x + 10, y2: y) }

    /// One frame with `placements`; `ending` tracks end on it.
    mutating func frame(_ placements: [Placement], ending: [Int] = []) {
        let pts = withoutPts ? nil : Double(frameIndex) * frameDuration
        var record = FrameRecord(
            stream: "cam", frameIndex: frameIndex, pts: pts, time: 1_000 + Double(frameIndex) * frameDuration, width: width, height: height,
            detections: placements.map {
                DetectionRecord(trackID: $0.id, label: $0.label, classIndex: 1, score: 0.9, box: Self.box(x: $0.x, y: $0.y))
            })
        var endedTracks = ending.map(Self.endRecord)
        events += engine.process(&record, endedTracks: &endedTracks)
        frames.append(record)
        ended += endedTracks
        frameIndex += 1
    }

    /// One frame with track `id` (a person) at `(x, y)`.
    mutating func frame(id: Int, x: Double, y: Double, label: String = "person") {
        frame([Placement(id: id, label: label, x: x, y: y)])
    }

    /// Track `id` walks in `steps` frames from `from` to `to` (both included).
    mutating func walk(id: Int, from: (Double, Double), to: (Double, Double), steps: Int, label: String = "person") {
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            frame(id: id, x: from.0 + (to.0 - from.0) * t, y: from.1 + (to.1 - from.1) * t, label: label)
        }
    }

    /// An empty frame on which the tracks `ending` end.
    mutating func end(_ ending: [Int]) { frame([], ending: ending) }

    /// The stream ends with `tracks` still open.
    mutating func finish(_ tracks: [Int]) {
        var endedTracks = tracks.map(Self.endRecord)
        events += engine.finish(endedTracks: &endedTracks)
        ended += endedTracks
    }

    static func endRecord(_ id: Int) -> TrackRecord {
        TrackRecord(
            stream: "cam", event: .end, trackID: id, label: "person", classIndex: 1, firstPts: 0, lastPts: 0, firstFrameIndex: 0,
            lastFrameIndex: 0, frameCount: 1, bestScore: 0.9, time: 0)
    }

    /// The events in a short form: `enter yard 1`, `cross door in 1`, `loiter yard 1`.
    var summary: [String] {
        events.map { e in
            let direction = e.direction.map { " \($0.rawValue)" } ?? ""
            return "\(e.event.rawValue) \(e.place.name)\(direction) \(e.trackID)"
        }
    }
}

/// A 100 × 100 square zone with corners (100, 100) and (200, 200).
func square(_ name: String = "yard", loiter: Double = 0, labels: [String]? = nil, steadiness: Steadiness = Steadiness()) -> ZoneDefinition {
    ZoneDefinition(
        name: name, points: [.init(x: 100, y: 100), .init(x: 200, y: 100), .init(x: 200, y: 200), .init(x: 100, y: 200)], labels: labels,
        loiter: loiter, steadiness: steadiness)
}

/// The door: from (320, 480) upwards to (320, 0); "in" is left to right on the picture.
func door(steadiness: Steadiness = Steadiness()) -> LineDefinition {
    LineDefinition(name: "door", from: .init(x: 320, y: 480), to: .init(x: 320, y: 0), steadiness: steadiness)
}
