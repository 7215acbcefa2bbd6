import Geometry
import Sinks
import Testing

/// Exact record encodings, and subscription filtering.
@Suite struct JSONLineEncoderTests {
    static let frame = Record.frame(
        FrameRecord(
            stream: "cam1", frameIndex: 12, pts: 0.48, time: 1_767_225_600.25, width: 640, height: 480,
            detections: [
                DetectionRecord(trackID: 3, label: "person", classIndex: 1, score: 0.91, box: Box(x1: 12.5, y1: 30, x2: 80, y2: 200)),
                DetectionRecord(trackID: nil, label: "dog", classIndex: 18, score: 0.4, box: Box(x1: 1, y1: 2, x2: 3, y2: 4)),
            ]))

    @Test(arguments: [
        (
            frame,
            #"{"detections":[{"box":[12.5,30,80,200],"class":1,"label":"person","score":0.91,"track":3},{"box":[1,2,3,4],"class":18,"label":"dog","score":0.4,"track":null}],"frame":12,"height":480,"kind":"frame","pts":0.48,"stream":"cam1","time":1767225600.25,"v":1,"width":640}"#
        ),
        (
            Record.frame(FrameRecord(stream: "a/b", frameIndex: 0, pts: nil, time: 1, width: 2, height: 3, detections: [])),
            #"{"detections":[],"frame":0,"height":3,"kind":"frame","pts":null,"stream":"a/b","time":1,"v":1,"width":2}"#
        ),
        (
            Record.track(
                TrackRecord(
                    stream: "cam1", event: .end, trackID: 3, label: "person", classIndex: 1, firstPts: 4, lastPts: 6.4, firstFrameIndex: 100,
                    lastFrameIndex: 160, frameCount: 57, bestScore: 0.93, time: 10)),
            #"{"bestScore":0.93,"class":1,"event":"end","firstFrame":100,"firstPts":4,"frames":57,"kind":"track","label":"person","lastFrame":160,"lastPts":6.4,"stream":"cam1","time":10,"track":3,"v":1}"#
        ),
        (
            Record.stream(StreamRecord(stream: "cam3", state: .reconnecting, time: 5, message: "line1\nline2")),
            #"{"kind":"stream","message":"line1\nline2","state":"reconnecting","stream":"cam3","time":5,"v":1}"#
        ),
        (
            Record.stream(StreamRecord(stream: "cam3", state: .connected, time: 5)),
            #"{"kind":"stream","state":"connected","stream":"cam3","time":5,"v":1}"#
        ),
        (Record.notice(NoticeRecord(reason: "shutdown")), #"{"kind":"notice","reason":"shutdown","v":1}"#),
        (
            Record.event(
                EventRecord(
                    stream: "cam1", event: .exit, place: .zone("driveway"), trackID: 3, label: "person", frameIndex: 812, pts: 32.5,
                    time: 7, box: Box(x1: 310, y1: 200, x2: 352, y2: 330), dwell: 4.25)),
            #"{"box":[310,200,352,330],"dwell":4.25,"event":"exit","frame":812,"kind":"event","label":"person","pts":32.5,"stream":"cam1","time":7,"track":3,"v":1,"zone":"driveway"}"#
        ),
        (
            Record.event(
                EventRecord(
                    stream: "cam1", event: .cross, place: .line("door"), direction: .in, trackID: 4, label: "person", frameIndex: 9,
                    pts: nil, time: 7, box: Box(x1: 1, y1: 2, x2: 3, y2: 4))),
            #"{"box":[1,2,3,4],"direction":"in","event":"cross","frame":9,"kind":"event","label":"person","line":"door","pts":null,"stream":"cam1","time":7,"track":4,"v":1}"#
        ),
    ])
    func encodesOneSortedLine(record: Record, expected: String) throws {
        let line = try JSONLineEncoder().encode(record)
        #expect(String(decoding: line.bytes, as: UTF8.self) == expected + "\n")
        #expect(line.bytes.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(line.metadata == record.metadata)
        #expect(line.record == record)
        #expect(Array(line.payload) == Array(expected.utf8))
    }

    @Test func nonFiniteNumberIsAnEncodingError() {
        let record = Record.stream(StreamRecord(stream: "cam1", state: .lost, time: .nan))
        #expect(throws: SinksError.self) { try JSONLineEncoder().encode(record) }
        do {
            _ = try JSONLineEncoder().encode(record)
        } catch {
            #expect(error.description.hasPrefix("cannot encode stream record of stream cam1 as JSON: "))
            #expect(error.underlying != nil)
        }
    }

    @Test func validatingInitRejectsEmbeddedNewlines() {
        let metadata = RecordMetadata(kind: .notice, stream: nil, labels: [])
        #expect(JSONLine(validating: Array("{}\n".utf8), metadata: metadata) != nil)
        #expect(JSONLine(validating: Array("{}".utf8), metadata: metadata) == nil)
        #expect(JSONLine(validating: Array("{}\n{}\n".utf8), metadata: metadata) == nil)
    }

    static let person = RecordMetadata(kind: .frame, stream: "cam1", labels: [ScoredLabel(label: "person", score: 0.6)])
    static let lowDog = RecordMetadata(kind: .frame, stream: "cam1", labels: [ScoredLabel(label: "dog", score: 0.3)])
    static let emptyFrame = RecordMetadata(kind: .frame, stream: "cam2", labels: [])
    static let streamState = RecordMetadata(kind: .stream, stream: "cam2", labels: [])
    static let track = RecordMetadata(kind: .track, stream: "cam2", labels: [ScoredLabel(label: "person", score: 0.9)])

    @Test(arguments: [
        (Subscription(), [true, true, true, true, true]),
        (Subscription(streams: ["cam1"]), [true, true, false, false, false]),
        (Subscription(labels: ["person"]), [true, false, false, true, true]),
        (Subscription(minScore: 0.5), [true, false, false, true, true]),
        (Subscription(labels: ["dog"], minScore: 0.5), [false, false, false, true, false]),
        (Subscription(kinds: [.stream, .track]), [false, false, false, true, true]),
        (Subscription(streams: ["cam2"], labels: ["person"], kinds: [.frame, .track]), [false, false, false, false, true]),
    ])
    func subscriptionFilters(subscription: Subscription, expected: [Bool]) {
        let records = [Self.person, Self.lowDog, Self.emptyFrame, Self.streamState, Self.track]
        #expect(records.map(subscription.matches) == expected, "\(subscription)")
    }
}
