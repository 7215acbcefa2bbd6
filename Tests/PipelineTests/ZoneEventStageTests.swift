import Events
import Geometry
import Sinks
import Testing

@testable import Pipeline

@Suite("Zone event stage: annotates the records it is handed, writes events, counts them in the metrics")
struct ZoneEventStageTests {
    static func stream() -> StreamConfiguration {
        var stream = StreamConfiguration(name: "cam", url: "x.mp4", live: false)
        stream.zones = [
            ZoneDefinition(
                name: "yard", points: [.init(x: 100, y: 100), .init(x: 200, y: 100), .init(x: 200, y: 200), .init(x: 100, y: 200)],
                labels: ["person"])
        ]
        stream.lines = [LineDefinition(name: "door", from: .init(x: 150, y: 300), to: .init(x: 150, y: 0))]
        return stream
    }

    static func frame(_ index: Int, x: Double, ended: [TrackRecord] = []) -> TrackedFrame {
        let box = Box(x1: x - 10, y1: 110, x2: x + 10, y2: 150)
        return TrackedFrame(
            record: FrameRecord(
                stream: "cam", frameIndex: index, pts: Double(index) / 10, time: 0, width: 320, height: 240,
                detections: [DetectionRecord(trackID: 4, label: "person", classIndex: 1, score: 0.9, box: box)]),
            startedTracks: [], endedTracks: ended)
    }

    @Test("a walk through the yard and the door: annotated frames and track end, events, counters and occupancy")
    func walk() throws {
        let metrics = PipelineMetrics(streamNames: ["cam"])
        var stage = ZoneEventStage.factory(metrics: metrics)(Self.stream())
        var records: [Record] = []
        var zonesSeen: [[String]?] = []
        for (i, x) in stride(from: 60.0, through: 180, by: 10).enumerated() {
            var frame = Self.frame(i, x: x)
            records += stage.analyze(&frame)
            zonesSeen.append(frame.record.detections[0].zones)
        }
        #expect(zonesSeen.first == [])
        #expect(zonesSeen.last == ["yard"])
        let inside = try PrometheusExposition(parsing: metrics.render())
        #expect(inside.value("ssdd_zone_occupancy", ["stream": "cam", "zone": "yard", "label": "person"]) == 1)
        var ended = [
            TrackRecord(
                stream: "cam", event: .end, trackID: 4, label: "person", classIndex: 1, firstPts: 0, lastPts: 1.2, firstFrameIndex: 0,
                lastFrameIndex: 12, frameCount: 13, bestScore: 0.9, time: 0)
        ]
        records += stage.finish(endedTracks: &ended)
        #expect(ended[0].zones == ["yard"] && ended[0].lines == ["door"])
        let kinds = records.compactMap { record -> String? in
            guard case .event(let e) = record else { return nil }
            return "\(e.event.rawValue) \(e.place.name)"
        }
        #expect(kinds == ["enter yard", "cross door", "exit yard"])
        let after = try PrometheusExposition(parsing: metrics.render())
        #expect(after.value("ssdd_zone_events_total", ["stream": "cam", "zone": "yard", "event": "enter"]) == 1)
        #expect(after.value("ssdd_zone_events_total", ["stream": "cam", "zone": "yard", "event": "exit"]) == 1)
        #expect(after.value("ssdd_zone_events_total", ["stream": "cam", "zone": "yard", "event": "loiter"]) == 0)
        #expect(after.value("ssdd_line_crossings_total", ["stream": "cam", "line": "door", "direction": "in"]) == 1)
        #expect(after.value("ssdd_line_crossings_total", ["stream": "cam", "line": "door", "direction": "out"]) == 0)
        #expect(after.value("ssdd_zone_occupancy", ["stream": "cam", "zone": "yard", "label": "person"]) == 0)
    }

    @Test("a stream without zones or lines gets the pass-through stage: records untouched")
    func plainStream() {
        var stage = ZoneEventStage.factory(metrics: PipelineMetrics(streamNames: ["cam"]))(
            StreamConfiguration(name: "cam", url: "x.mp4", live: false))
        var frame = Self.frame(0, x: 150)
        #expect(stage.analyze(&frame).isEmpty)
        #expect(frame.record.detections[0].zones == nil)
        #expect(stage is PassThroughEventStage)
    }
}
