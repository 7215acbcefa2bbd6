import Geometry
import Sinks
import Testing

@testable import MQTT

/// The Frigate translator on scripted record sequences, in the order the pipeline writes them.
@Suite("Frigate translator: records to new/update/end events and counts")
struct FrigateTranslatorTests {
    static func start(_ track: Int, label: String = "person", firstFrame: Int, confirmedAt frame: Int, stream: String = "cam1") -> Record {
        .track(
            TrackRecord(
                stream: stream, event: .start, trackID: track, label: label, classIndex: 1, firstPts: Double(firstFrame) * 0.04,
                lastPts: Double(frame) * 0.04, firstFrameIndex: firstFrame, lastFrameIndex: frame, frameCount: frame - firstFrame + 1,
                bestScore: 0.7, time: 5000))
    }

    static func end(_ track: Int, label: String = "person", lastFrame: Int, stream: String = "cam1") -> Record {
        .track(
            TrackRecord(
                stream: stream, event: .end, trackID: track, label: label, classIndex: 1, firstPts: 0, lastPts: Double(lastFrame) * 0.04,
                firstFrameIndex: 0, lastFrameIndex: lastFrame, frameCount: lastFrame + 1, bestScore: 0.9, time: 6000))
    }

    /// Frame `index` at time 1000 + index/10 s with the given detections (track id, score, x offset).
    static func frame(_ index: Int, _ detections: [(track: Int?, score: Double, x: Double)], stream: String = "cam1") -> Record {
        .frame(
            FrameRecord(
                stream: stream, frameIndex: index, pts: Double(index) * 0.04, time: 1000 + Double(index) / 10, width: 640, height: 480,
                detections: detections.map {
                    DetectionRecord(
                        trackID: $0.track, label: "person", classIndex: 1, score: $0.score, box: Box(x1: $0.x, y1: 20, x2: $0.x + 50, y2: 120.4))
                }))
    }

    static func events(_ outputs: [FrigateTranslator.Output]) -> [FrigateEvent] {
        outputs.compactMap {
            if case let .event(event) = $0 { return event }
            return nil
        }
    }

    static func counts(_ outputs: [FrigateTranslator.Output]) -> [Int] {
        outputs.compactMap {
            if case let .count(_, value) = $0 { return value }
            return nil
        }
    }

    @Test("a track's life: new with the confirming frame, throttled updates, end with end_time")
    func lifecycle() throws {
        var translator = FrigateTranslator()
        // Frames 0 and 1 see the object while tentative; frame 2 confirms it as track 7.
        #expect(translator.process(Self.frame(0, [(nil, 0.6, 10)])).isEmpty)
        #expect(translator.process(Self.frame(1, [(nil, 0.65, 11)])).isEmpty)
        let started = translator.process(Self.start(7, firstFrame: 0, confirmedAt: 2))
        #expect(Self.counts(started) == [1])
        #expect(Self.events(started).isEmpty)
        let confirmed = Self.events(translator.process(Self.frame(2, [(7, 0.8, 12)])))
        try #require(confirmed.count == 1)
        let new = confirmed[0]
        #expect(new.type == .new)
        #expect(new.before == new.after)
        #expect(new.after.box == [12, 20, 62, 120])
        #expect(new.after.startTime == 1000)  // frame 0's time, remembered from its frame record
        #expect(new.after.frameTime == 1000.2)
        #expect(new.after.endTime == nil)
        #expect(new.after.id == "1000.000000-cam1-7")
        #expect(new.after.topScore == 0.8)
        // Within a second of frame time: no update, though the box moves.
        for i in 3...11 { #expect(translator.process(Self.frame(i, [(7, 0.8, 12 + Double(i))])).isEmpty, "frame \(i)") }
        // Frame 12 is a second after frame 2: one update, before = the new event's after.
        let updates = Self.events(translator.process(Self.frame(12, [(7, 0.85, 40)])))
        try #require(updates.count == 1)
        #expect(updates[0].type == .update)
        #expect(updates[0].before == new.after)
        #expect(updates[0].after.box == [40, 20, 90, 120])
        #expect(updates[0].after.topScore == 0.85)
        // Unchanged a second later: nothing to say.
        #expect(translator.process(Self.frame(22, [(7, 0.85, 40)])).isEmpty)
        let ended = translator.process(Self.end(7, lastFrame: 22))
        let endEvents = Self.events(ended)
        try #require(endEvents.count == 1)
        #expect(endEvents[0].type == .end)
        #expect(endEvents[0].before == updates[0].after)
        #expect(endEvents[0].after.endTime == 1002.2)
        #expect(Self.counts(ended) == [0])
    }

    @Test("counts per stream and label follow track starts and ends; zeros declared up front are kept")
    func counts() {
        var translator = FrigateTranslator(options: .init(emitsEvents: false))
        translator.declare(.init(stream: "cam2", label: "dog"))
        #expect(Self.counts(translator.process(Self.start(1, firstFrame: 0, confirmedAt: 2))) == [1])
        #expect(Self.counts(translator.process(Self.start(2, firstFrame: 1, confirmedAt: 3))) == [2])
        #expect(Self.counts(translator.process(Self.start(1, label: "car", firstFrame: 1, confirmedAt: 3, stream: "cam2"))) == [1])
        // Events off: frames produce nothing.
        #expect(translator.process(Self.frame(3, [(1, 0.9, 5), (2, 0.9, 100)])).isEmpty)
        #expect(Self.counts(translator.process(Self.end(1, lastFrame: 3))) == [1])
        let current = translator.currentCounts.map { "\($0.key.stream)/\($0.key.label)=\($0.count)" }
        #expect(current == ["cam1/person=1", "cam2/car=1", "cam2/dog=0"])
        // An end for a track never started changes nothing.
        #expect(translator.process(Self.end(99, lastFrame: 3)).isEmpty)
    }

    @Test("zone enter and exit: current and entered zones, per-zone counts, an update at once")
    func zones() throws {
        var translator = FrigateTranslator()
        _ = translator.process(Self.start(3, firstFrame: 0, confirmedAt: 0))
        _ = translator.process(Self.frame(0, [(3, 0.9, 10)]))
        func zoneEvent(_ event: EventRecord.Event, frame: Int) -> Record {
            .event(
                EventRecord(
                    stream: "cam1", event: event, place: .zone("driveway"), trackID: 3, label: "person", frameIndex: frame, pts: nil,
                    time: 1000, box: Box(x1: 10, y1: 20, x2: 60, y2: 120)))
        }
        let entered = translator.process(zoneEvent(.enter, frame: 1))
        let enterEvents = Self.events(entered)
        try #require(enterEvents.count == 1)
        #expect(enterEvents[0].type == .update)
        #expect(enterEvents[0].after.currentZones == ["driveway"])
        #expect(enterEvents[0].after.enteredZones == ["driveway"])
        #expect(entered.contains(.count(.init(stream: "cam1", zone: "driveway", label: "person"), 1)))
        let exited = translator.process(zoneEvent(.exit, frame: 2))
        #expect(Self.events(exited).first?.after.currentZones == [])
        #expect(Self.events(exited).first?.after.enteredZones == ["driveway"])
        #expect(exited.contains(.count(.init(stream: "cam1", zone: "driveway", label: "person"), 0)))
        // Entering again then ending inside: the zone count drops with the end.
        _ = translator.process(zoneEvent(.enter, frame: 3))
        let ended = translator.process(Self.end(3, lastFrame: 3))
        #expect(ended.contains(.count(.init(stream: "cam1", zone: "driveway", label: "person"), 0)))
        #expect(ended.contains(.count(.init(stream: "cam1", label: "person"), 0)))
    }

    @Test("a track that ends unseen on any frame record is announced, then ended")
    func unseenTrack() {
        var translator = FrigateTranslator()
        _ = translator.process(Self.start(4, firstFrame: 0, confirmedAt: 2))
        let types = Self.events(translator.process(Self.end(4, lastFrame: 2))).map(\.type)
        #expect(types == [.new, .end])
    }

    @Test("objects are capped: starts beyond maxObjects are ignored until one ends")
    func cap() {
        var translator = FrigateTranslator(options: .init(maxObjects: 2))
        #expect(Self.counts(translator.process(Self.start(1, firstFrame: 0, confirmedAt: 0))) == [1])
        #expect(Self.counts(translator.process(Self.start(2, firstFrame: 0, confirmedAt: 0))) == [2])
        #expect(translator.process(Self.start(3, firstFrame: 0, confirmedAt: 0)).isEmpty)
        _ = translator.process(Self.end(1, lastFrame: 1))
        #expect(Self.counts(translator.process(Self.start(3, firstFrame: 0, confirmedAt: 0))) == [2])
    }

    @Test("the encoded event uses Frigate's field names, with end_time null until the end")
    func encoding() throws {
        var object = FrigateObject(camera: "cam1", label: "person", score: 0.5)
        object.id = "1.000000-cam1-1"
        object.box = [1, 2, 11, 22]
        let json = String(decoding: try #require(FrigateEventEncoder.encode(FrigateEvent(type: .new, before: object, after: object))), as: UTF8.self)
        let expectedObject =
            #"{"area":200,"box":[1,2,11,22],"camera":"cam1","current_zones":[],"end_time":null,"entered_zones":[],"false_positive":false,"#
            + #""frame_time":0,"has_clip":false,"has_snapshot":false,"id":"1.000000-cam1-1","label":"person","ratio":0.5,"score":0.5,"#
            + #""start_time":0,"sub_label":null,"top_score":0.5}"#
        #expect(json == #"{"after":"# + expectedObject + #","before":"# + expectedObject + #","type":"new"}"#)
    }
}
