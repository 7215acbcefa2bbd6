import Geometry
import Sinks

/// Turns one stream's tracked frames into zone and line events: pure and deterministic (the same frames give the
/// same events), with no clock or I/O of its own.
///
/// Per confirmed track and place it keeps a debounced side (``Steadiness``): a zone's `enter` and `exit` and a
/// line's `cross` come from confirmed changes only, so a jittering box makes no storms. A crossing counts only when
/// the anchor's path between its last firm position on the old side and its first on the new one meets the segment
/// itself. Frames on which a track is not seen (occlusion) keep its state, as the tracker keeps the track; when the
/// track ends inside a zone it `exit`s there, with its dwell. Dwell is measured on presentation times, or on
/// wall-clock frame times for a stream without them, and reported to the millisecond.
///
/// It also annotates records: each detection gets the zones its anchor is in (`zones`), and each ended track the
/// zones it entered and the lines it crossed. Streams without zones (or lines) keep their records unchanged.
public struct EventEngine: Sendable {
    /// The stream's name, written in every event.
    public let stream: String
    /// The stream's zones, in configuration order.
    public let zones: [ZoneDefinition]
    /// The stream's lines, in configuration order.
    public let lines: [LineDefinition]
    private var frameSize: (width: Int, height: Int)?
    private var polygons: [Polygon] = []
    private var segments: [Segment] = []
    private var tracks: [Int: TrackPlaces] = [:]

    /// An engine for `stream`'s zones and lines.
    public init(stream: String, zones: [ZoneDefinition], lines: [LineDefinition]) {
        self.stream = stream
        self.zones = zones
        self.lines = lines
    }

    /// Tracks the engine holds state for (confirmed, not yet ended).
    public var trackCount: Int { tracks.count }

    /// One frame, in stream order: annotates its detections and the tracks that ended on it, and returns the events
    /// it caused (per detection in record order, zones before lines, each in configuration order; then the exits of
    /// the ended tracks).
    public mutating func process(_ frame: inout FrameRecord, endedTracks: inout [TrackRecord]) -> [EventRecord] {
        resolve(width: frame.width, height: frame.height)
        let stamp = FrameStamp(frameIndex: frame.frameIndex, pts: frame.pts, time: frame.time)
        var events: [EventRecord] = []
        for i in frame.detections.indices {
            let detection = frame.detections[i]
            if !zones.isEmpty {
                frame.detections[i].zones = zones.indices.filter { z in
                    zones[z].counts(detection.label) && polygons[z].contains(anchor(zones[z].anchor, detection.box))
                }.map { zones[$0].name }
            }
            guard let id = detection.trackID else { continue }
            var track =
                tracks[id]
                ?? TrackPlaces(label: detection.label, zoneCount: zones.count, lineCount: lines.count, stamp: stamp, box: detection.box)
            track.lastStamp = stamp
            track.lastBox = detection.box
            events += observeZones(&track, id: id, label: detection.label, box: detection.box, stamp: stamp)
            events += observeLines(&track, id: id, label: detection.label, box: detection.box, stamp: stamp)
            tracks[id] = track
        }
        events += end(&endedTracks)
        return events
    }

    /// The stream ended: `endedTracks` are its last tracks. Annotates them and returns their exits.
    public mutating func finish(endedTracks: inout [TrackRecord]) -> [EventRecord] {
        let events = end(&endedTracks)
        tracks.removeAll()
        return events
    }

    /// Resolves relative places for a `width × height` frame (on the first frame and whenever the size changes).
    private mutating func resolve(width: Int, height: Int) {
        if let size = frameSize, size.width == width, size.height == height { return }
        frameSize = (width, height)
        polygons = zones.map { $0.polygon(width: width, height: height) }
        segments = lines.map { $0.segment(width: width, height: height) }
    }

    private var pictureWidth: Double? { frameSize.map { Double($0.width) } }
    private var pictureHeight: Double? { frameSize.map { Double($0.height) } }

    /// The `kind` anchor of `box`, moved into the picture.
    private func anchor(_ kind: Anchor, _ box: Box) -> ImagePoint {
        let point = kind.point(of: box)
        guard let size = frameSize else { return point }
        return point.clamped(width: size.width, height: size.height)
    }

    private func event(
        _ kind: EventRecord.Event, _ place: EventRecord.Place, id: Int, label: String, stamp: FrameStamp, box: Box,
        direction: EventRecord.Direction? = nil, dwell: Double? = nil
    ) -> EventRecord {
        EventRecord(
            stream: stream, event: kind, place: place, direction: direction, trackID: id, label: label, frameIndex: stamp.frameIndex,
            pts: stamp.pts, time: stamp.time, box: box, dwell: dwell.map { ($0 * 1000).rounded() / 1000 })
    }

    private func observeZones(_ track: inout TrackPlaces, id: Int, label: String, box: Box, stamp: FrameStamp) -> [EventRecord] {
        var events: [EventRecord] = []
        for z in zones.indices where zones[z].counts(label) {
            let zone = zones[z]
            let point = anchor(zone.anchor, box)
            let distance = polygons[z].distanceToBoundary(point, pictureWidth: pictureWidth, height: pictureHeight)
            let firm = distance >= zone.steadiness.margin ? polygons[z].contains(point) : nil
            var stay = track.zones[z]
            let sighting = Sighting(stamp: stamp, box: box, point: point)
            if let change = stay.side.observe(firm, sighting, frames: zone.steadiness.frames) {
                if change.to {
                    stay.enteredAt = change.firstAfter.stamp.clock
                    stay.loitered = false
                    track.noteEntered(zone.name)
                    events.append(event(.enter, .zone(zone.name), id: id, label: label, stamp: stamp, box: box))
                } else {
                    let dwell = stay.enteredAt.map { max(0, change.firstAfter.stamp.clock - $0) } ?? 0
                    stay.enteredAt = nil
                    events.append(event(.exit, .zone(zone.name), id: id, label: label, stamp: stamp, box: box, dwell: dwell))
                }
            }
            if zone.loiter > 0, !stay.loitered, let entered = stay.enteredAt, stamp.clock - entered >= zone.loiter {
                stay.loitered = true
                events.append(event(.loiter, .zone(zone.name), id: id, label: label, stamp: stamp, box: box, dwell: stamp.clock - entered))
            }
            track.zones[z] = stay
        }
        return events
    }

    private func observeLines(_ track: inout TrackPlaces, id: Int, label: String, box: Box, stamp: FrameStamp) -> [EventRecord] {
        var events: [EventRecord] = []
        for l in lines.indices where lines[l].counts(label) {
            let line = lines[l]
            let point = anchor(line.anchor, box)
            let distance = segments[l].signedDistance(point)
            let firm = distance != 0 && abs(distance) >= line.steadiness.margin ? distance > 0 : nil
            let sighting = Sighting(stamp: stamp, box: box, point: point)
            guard let change = track.lines[l].observe(firm, sighting, frames: line.steadiness.frames), let before = change.lastBefore else {
                continue
            }
            // The side changed; it is a crossing only if the path went through the segment, not around its ends.
            guard segments[l].isMet(byPathFrom: before.point, to: change.firstAfter.point) else { continue }
            track.noteCrossed(line.name)
            events.append(event(.cross, .line(line.name), id: id, label: label, stamp: stamp, box: box, direction: change.to ? .in : .out))
        }
        return events
    }

    /// Annotates `endedTracks`, emits the exits of those still inside zones and forgets them.
    private mutating func end(_ endedTracks: inout [TrackRecord]) -> [EventRecord] {
        var events: [EventRecord] = []
        for i in endedTracks.indices {
            let id = endedTracks[i].trackID
            let track = tracks.removeValue(forKey: id)
            if !zones.isEmpty { endedTracks[i].zones = track?.enteredZones ?? [] }
            if !lines.isEmpty { endedTracks[i].lines = track?.crossedLines ?? [] }
            guard let track else { continue }
            for z in zones.indices {
                guard track.zones[z].side.side == true, let entered = track.zones[z].enteredAt else { continue }
                let dwell = max(0, track.lastStamp.clock - entered)
                events.append(
                    event(.exit, .zone(zones[z].name), id: id, label: track.label, stamp: track.lastStamp, box: track.lastBox, dwell: dwell))
            }
        }
        return events
    }
}
