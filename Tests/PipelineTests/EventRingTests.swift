import Geometry
import Sinks
import Testing
import WebAPI

@testable import Pipeline

@Suite("The event ring: bounded, newest first, filtered by stream, kind and time")
struct EventRingTests {
    static func track(_ stream: String, id: Int, time: Double) -> JSONLine {
        let record = TrackRecord(
            stream: stream, event: .start, trackID: id, label: "person", classIndex: 1, firstPts: 0, lastPts: 0, firstFrameIndex: 0,
            lastFrameIndex: 0, frameCount: 1, bestScore: 0.9, time: time)
        return try! JSONLineEncoder().encode(.track(record))
    }

    static func event(_ stream: String, id: Int, time: Double) -> JSONLine {
        let record = EventRecord(
            stream: stream, event: .enter, place: .zone("yard"), trackID: id, label: "person", frameIndex: 1, pts: 0.04, time: time,
            box: Box(x1: 0, y1: 0, x2: 1, y2: 1))
        return try! JSONLineEncoder().encode(.event(record))
    }

    static func stream(_ name: String, time: Double) -> JSONLine {
        try! JSONLineEncoder().encode(.stream(StreamRecord(stream: name, state: .connected, time: time)))
    }

    @Test("keeps track and event records only, at most capacity, forgetting the oldest")
    func bounded() {
        var ring = EventRing(capacity: 3)
        let kept = ring.append(Self.stream("a", time: 1))
        #expect(!kept)
        for i in 1...5 { ring.append(Self.track("a", id: i, time: Double(i))) }
        #expect(ring.count == 3)
        let lines = ring.lines(matching: EventQuery())
        #expect(lines == [Self.track("a", id: 5, time: 5), Self.track("a", id: 4, time: 4), Self.track("a", id: 3, time: 3)])
    }

    @Test("filters: stream, kind, since (later than), limit; newest first")
    func filters() {
        var ring = EventRing(capacity: 100)
        let all = [
            Self.track("a", id: 1, time: 10), Self.event("a", id: 1, time: 11), Self.track("b", id: 2, time: 12), Self.event("b", id: 2, time: 13),
            Self.track("a", id: 3, time: 14),
        ]
        for line in all { ring.append(line) }
        #expect(ring.lines(matching: EventQuery()) == all.reversed())
        #expect(ring.lines(matching: EventQuery(stream: "a")) == [all[4], all[1], all[0]])
        #expect(ring.lines(matching: EventQuery(kind: .event)) == [all[3], all[1]])
        #expect(ring.lines(matching: EventQuery(since: 12)) == [all[4], all[3]])
        #expect(ring.lines(matching: EventQuery(stream: "b", kind: .track)) == [all[2]])
        #expect(ring.lines(matching: EventQuery(limit: 2)) == [all[4], all[3]])
        #expect(ring.lines(matching: EventQuery(stream: "zzz")).isEmpty)
        #expect(EventRing(capacity: 5).lines(matching: EventQuery()).isEmpty)
    }

    @Test("after wrapping around, the order is still newest first")
    func wrapped() {
        var ring = EventRing(capacity: 4)
        for i in 1...10 { ring.append(Self.track(i % 2 == 0 ? "a" : "b", id: i, time: Double(i))) }
        let ids = ring.lines(matching: EventQuery()).compactMap { line -> Int? in
            if case .track(let t) = line.record { return t.trackID }
            return nil
        }
        #expect(ids == [10, 9, 8, 7])
        #expect(ring.lines(matching: EventQuery(stream: "a")).count == 2)
    }
}
