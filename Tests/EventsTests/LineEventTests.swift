import Events
import Sinks
import Testing

@Suite("Lines: direction-aware crossings from scripted tracks")
struct LineEventTests {
    @Test("left to right of the upward door is in; the reversed path is out; one event per pass")
    func directions() throws {
        var forward = ScriptedTracks(lines: [door()])
        forward.walk(id: 1, from: (200, 300), to: (440, 300), steps: 24)
        #expect(forward.summary == ["cross door in 1"])
        var reversed = ScriptedTracks(lines: [door()])
        reversed.walk(id: 1, from: (440, 300), to: (200, 300), steps: 24)
        #expect(reversed.summary == ["cross door out 1"])
        let event = try #require(forward.events.first)
        // First firm right of the line at x = 330 (frame 13), confirmed at frame 14.
        #expect(event.frameIndex == 14)
        #expect(event.dwell == nil)
        #expect(event.place == .line("door"))
    }

    @Test("the sign convention: (p2 − p1) × (c − p1), y down, negative to positive is in")
    func signConvention() {
        let segment = Segment(from: ImagePoint(x: 320, y: 480), to: ImagePoint(x: 320, y: 0))
        #expect(segment.cross(ImagePoint(x: 300, y: 200)) < 0)
        #expect(segment.cross(ImagePoint(x: 340, y: 200)) > 0)
        // A horizontal line drawn to the right: "in" is downwards on the picture.
        var script = ScriptedTracks(lines: [LineDefinition(name: "h", from: .init(x: 100, y: 200), to: .init(x: 500, y: 200))])
        script.walk(id: 1, from: (300, 150), to: (300, 250), steps: 10)
        #expect(script.summary == ["cross h in 1"])
    }

    @Test("across and back: two events, in then out; across twice the same way (round the end between): in, in")
    func twice() {
        var back = ScriptedTracks(lines: [door()])
        back.walk(id: 1, from: (200, 300), to: (440, 300), steps: 24)
        back.walk(id: 1, from: (440, 300), to: (200, 300), steps: 24)
        #expect(back.summary == ["cross door in 1", "cross door out 1"])
        let short = LineDefinition(name: "gate", from: .init(x: 320, y: 300), to: .init(x: 320, y: 100))
        var again = ScriptedTracks(lines: [short])
        again.walk(id: 1, from: (200, 200), to: (440, 200), steps: 24)  // through the gate
        again.walk(id: 1, from: (440, 200), to: (440, 400), steps: 10)
        again.walk(id: 1, from: (440, 400), to: (200, 400), steps: 24)  // back below its lower end
        again.walk(id: 1, from: (200, 400), to: (200, 200), steps: 10)
        again.walk(id: 1, from: (200, 200), to: (440, 200), steps: 24)  // through the gate again
        #expect(again.summary == ["cross gate in 1", "cross gate in 1"])
        #expect(again.ended.isEmpty)
        again.end([1])
        #expect(again.ended.first?.lines == ["gate"])
        #expect(again.ended.first?.zones == nil)
    }

    @Test("passing beyond the segment's ends is not a crossing")
    func outsideExtent() {
        let gate = LineDefinition(name: "gate", from: .init(x: 320, y: 300), to: .init(x: 320, y: 100))
        var below = ScriptedTracks(lines: [gate])
        below.walk(id: 1, from: (200, 400), to: (440, 400), steps: 24)
        var above = ScriptedTracks(lines: [gate])
        above.walk(id: 1, from: (440, 50), to: (200, 50), steps: 24)
        #expect(below.events.isEmpty)
        #expect(above.events.isEmpty)
        below.end([1])
        #expect(below.ended.first?.lines == [])
    }

    @Test("a track standing on the line with jitter crosses nothing; two tracks are counted separately")
    func jitterAndTwoTracks() {
        var script = ScriptedTracks(lines: [door()])
        for i in 0..<100 { script.frame(id: 1, x: 320 + Double(i % 5) - 2, y: 300) }
        #expect(script.events.isEmpty)
        for i in 0...24 {
            script.frame([.init(id: 2, x: 200 + Double(i) * 10, y: 300), .init(id: 3, x: 440 - Double(i) * 10, y: 320)])
        }
        #expect(script.summary == ["cross door in 2", "cross door out 3"])
    }

    @Test("labels filter the line; the segment test sees a path that only touches the end point")
    func labelsAndTouching() {
        var line = door()
        line.labels = ["person"]
        var script = ScriptedTracks(lines: [line])
        script.walk(id: 1, from: (200, 300), to: (440, 300), steps: 24, label: "dog")
        #expect(script.events.isEmpty)
        let segment = Segment(from: ImagePoint(x: 0, y: 0), to: ImagePoint(x: 0, y: 10))
        #expect(segment.isMet(byPathFrom: ImagePoint(x: -5, y: 10), to: ImagePoint(x: 5, y: 10)))
        #expect(!segment.isMet(byPathFrom: ImagePoint(x: -5, y: 11), to: ImagePoint(x: 5, y: 11)))
        #expect(!segment.isMet(byPathFrom: ImagePoint(x: -5, y: -1), to: ImagePoint(x: 5, y: -1)))
    }
}

@Suite("Polygon containment and distances")
struct PolygonTests {
    @Test("even-odd containment, area and the distance to the outline")
    func basics() {
        let triangle = Polygon([.init(x: 0, y: 0), .init(x: 10, y: 0), .init(x: 0, y: 10)])
        #expect(triangle.area == 50)
        #expect(triangle.contains(.init(x: 2, y: 2)))
        #expect(!triangle.contains(.init(x: 8, y: 8)))
        #expect(triangle.distanceToBoundary(.init(x: 2, y: 5)) == 2)
        // Concave "U": the notch is outside.
        let u = Polygon([
            .init(x: 0, y: 0), .init(x: 3, y: 0), .init(x: 3, y: 3), .init(x: 2, y: 3), .init(x: 2, y: 1), .init(x: 1, y: 1), .init(x: 1, y: 3),
            .init(x: 0, y: 3),
        ])
        #expect(u.contains(.init(x: 0.5, y: 2)))
        #expect(!u.contains(.init(x: 1.5, y: 2)))
        #expect(Polygon([.init(x: 0, y: 0), .init(x: 1, y: 1), .init(x: 2, y: 2)]).area == 0)
        #expect(!triangle.contains(.init(x: Double.nan, y: 1)))
    }
}
