import Geometry

/// What one confirmed track has done in its stream's zones and on its lines so far.
struct TrackPlaces: Sendable {
    /// One zone's view of the track.
    struct ZoneStay: Sendable {
        var side = SideTracker(side: false)
        /// Stream-clock time the current stay began (the first firm observation inside); nil while outside.
        var enteredAt: Double?
        /// Whether the current stay has had its `loiter` event.
        var loitered = false
    }

    var label: String
    /// Per zone, in the stream's zone order.
    var zones: [ZoneStay]
    /// Per line, in the stream's line order (unknown side until the first firm observation).
    var lines: [SideTracker]
    /// Zones entered, in order of first entry, each once.
    var enteredZones: [String] = []
    /// Lines crossed, in order of first crossing, each once.
    var crossedLines: [String] = []
    /// The last frame the track was seen on, and its box there.
    var lastStamp: FrameStamp
    var lastBox: Box

    init(label: String, zoneCount: Int, lineCount: Int, stamp: FrameStamp, box: Box) {
        self.label = label
        zones = Array(repeating: ZoneStay(), count: zoneCount)
        lines = Array(repeating: SideTracker(side: nil), count: lineCount)
        lastStamp = stamp
        lastBox = box
    }

    mutating func noteEntered(_ zone: String) {
        if !enteredZones.contains(zone) { enteredZones.append(zone) }
    }

    mutating func noteCrossed(_ line: String) {
        if !crossedLines.contains(line) { crossedLines.append(line) }
    }
}
