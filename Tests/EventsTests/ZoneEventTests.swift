import Events
import Sinks
import Testing

@Suite("Zones: enter, exit and loiter from scripted tracks")
struct ZoneEventTests {
    @Test("a passage through the zone: one enter, one exit with the time spent inside; the end record names the zone")
    func passage() throws {
        var script = ScriptedTracks(zones: [square()])
        script.walk(id: 1, from: (50, 150), to: (250, 150), steps: 20)
        script.end([1])
        #expect(script.summary == ["enter yard 1", "exit yard 1"])
        let enter = try #require(script.events.first)
        let exit = try #require(script.events.last)
        // 10 px per frame: first firm inside at x = 110 (frame 6), confirmed at frame 7 (debounce 2); first firm
        // outside at x = 210 (frame 16), confirmed at frame 17.
        #expect(enter.frameIndex == 7)
        #expect(enter.dwell == nil)
        #expect(enter.box == ScriptedTracks.box(x: 120, y: 150))
        #expect(exit.frameIndex == 17)
        let dwell = try #require(exit.dwell)
        #expect(abs(dwell - 1.0) < 1e-9)
        #expect(script.ended.first?.zones == ["yard"])
        #expect(script.ended.first?.lines == nil)
    }

    @Test("a track that never reaches the zone makes no event; its end record lists no zone")
    func neverReaching() {
        var script = ScriptedTracks(zones: [square()])
        script.walk(id: 1, from: (50, 300), to: (600, 300), steps: 30)
        script.end([1])
        #expect(script.events.isEmpty)
        #expect(script.ended.first?.zones == [])
    }

    @Test("jitter across the border: no storm with the default margin and debounce, a storm without them")
    func jitter() {
        // The anchor wanders ±3 px around the zone's top border (y = 100) for 200 frames.
        var generator = SplitMix(seed: 7)
        let offsets = (0..<200).map { _ in Double(generator.next() % 7) - 3 }
        var steady = ScriptedTracks(zones: [square()])
        var nervous = ScriptedTracks(zones: [square(steadiness: Steadiness(frames: 1, margin: 0))])
        for offset in offsets {
            steady.frame(id: 1, x: 150, y: 100 + offset)
            nervous.frame(id: 1, x: 150, y: 100 + offset)
        }
        #expect(steady.events.isEmpty)
        #expect(nervous.events.count > 20)
    }

    @Test("debounce without margin: alternating frames never change the side")
    func alternating() {
        var script = ScriptedTracks(zones: [square(steadiness: Steadiness(frames: 2, margin: 0))])
        for i in 0..<100 { script.frame(id: 1, x: 150, y: i % 2 == 0 ? 95 : 105) }
        #expect(script.events.isEmpty)
    }

    @Test("one loiter per stay once the dwell reaches the loiter time; none for a short stay")
    func loiter() throws {
        var script = ScriptedTracks(zones: [square(loiter: 2)])
        script.walk(id: 1, from: (50, 150), to: (150, 150), steps: 10)
        for _ in 0..<50 { script.frame(id: 1, x: 150, y: 150) }  // 5 s inside
        script.walk(id: 1, from: (150, 150), to: (250, 150), steps: 10)
        script.walk(id: 1, from: (250, 150), to: (150, 150), steps: 10)  // back in: a new stay
        for _ in 0..<30 { script.frame(id: 1, x: 150, y: 150) }
        script.walk(id: 1, from: (150, 150), to: (250, 150), steps: 10)
        script.walk(id: 2, from: (50, 150), to: (250, 150), steps: 20)  // 1 s inside: no loiter
        #expect(
            script.summary == [
                "enter yard 1", "loiter yard 1", "exit yard 1", "enter yard 1", "loiter yard 1", "exit yard 1", "enter yard 2", "exit yard 2",
            ])
        let loiter = try #require(script.events.first { $0.event == .loiter })
        let dwell = try #require(loiter.dwell)
        #expect(dwell >= 2 && dwell < 2.15)
    }

    @Test("occlusion: frames without the track keep its stay; the track ending inside exits with its dwell")
    func occlusionAndEndInside() throws {
        var script = ScriptedTracks(zones: [square()])
        script.walk(id: 1, from: (50, 150), to: (150, 150), steps: 10)
        for _ in 0..<20 { script.frame([]) }  // occluded for 2 s
        script.frame(id: 1, x: 150, y: 150)
        script.frame(id: 1, x: 150, y: 150)
        script.end([1])
        #expect(script.summary == ["enter yard 1", "exit yard 1"])
        let exit = try #require(script.events.last)
        // Inside from frame 6 (x = 110) to its last sighting, frame 32: 2.6 s.
        #expect(exit.frameIndex == 32)
        #expect(abs((exit.dwell ?? 0) - 2.6) < 1e-9)
        #expect(script.ended.first?.zones == ["yard"])
    }

    @Test("the stream ending with a track inside: exit with dwell, the end record names the zone")
    func streamEndsInside() {
        var script = ScriptedTracks(zones: [square()])
        script.walk(id: 1, from: (50, 150), to: (150, 150), steps: 10)
        script.finish([1])
        #expect(script.summary == ["enter yard 1", "exit yard 1"])
        #expect(script.ended.first?.zones == ["yard"])
        #expect(script.engine.trackCount == 0)
    }

    @Test("labels filter the zone: a car makes no event and is not listed as in the zone")
    func labels() {
        var script = ScriptedTracks(zones: [square(labels: ["person"])])
        script.walk(id: 1, from: (50, 150), to: (250, 150), steps: 20, label: "car")
        #expect(script.events.isEmpty)
        #expect(script.frames.allSatisfy { $0.detections.allSatisfy { $0.zones == [] } })
    }

    @Test("detections list the zones their anchor is in, tentative ones too; streams without zones keep the key out")
    func detectionZones() {
        var script = ScriptedTracks(zones: [square("a"), square("b")])
        script.frame([.init(id: nil, x: 150, y: 150), .init(id: 2, x: 300, y: 300)])
        #expect(script.frames[0].detections.map(\.zones) == [["a", "b"], []])
        var plain = ScriptedTracks(lines: [door()])
        plain.frame(id: 1, x: 150, y: 150)
        #expect(plain.frames[0].detections[0].zones == nil)
    }

    @Test("relative points follow the frame size (resolved on the first frame and again when it changes)")
    func relative() {
        let zone = ZoneDefinition(
            name: "left", points: [.init(x: 0, y: 0), .init(x: 0.5, y: 0), .init(x: 0.5, y: 1), .init(x: 0, y: 1)], relative: true)
        var script = ScriptedTracks(zones: [zone])
        script.width = 400
        script.height = 200
        script.frame(id: 1, x: 150, y: 100)  // inside the left half of 400
        script.frame(id: 1, x: 150, y: 100)
        script.width = 200
        script.height = 100
        script.frame(id: 1, x: 150, y: 50)  // outside the left half of 200
        script.frame(id: 1, x: 150, y: 50)
        #expect(script.summary == ["enter left 1", "exit left 1"])
        #expect(script.frames.map { $0.detections[0].zones ?? [] } == [["left"], ["left"], [], []])
    }

    @Test("a zone drawn to the picture's edge counts a box touching that edge as inside")
    func zoneAtTheEdge() {
        let bottom = ZoneDefinition(name: "bottom", points: [.init(x: 0, y: 400), .init(x: 640, y: 400), .init(x: 640, y: 480), .init(x: 0, y: 480)])
        var script = ScriptedTracks(zones: [bottom])
        script.frame(id: 1, x: 320, y: 480)
        script.frame(id: 1, x: 320, y: 480)
        #expect(script.summary == ["enter bottom 1"])
    }

    @Test("without presentation times dwell is measured on the frames' wall-clock times")
    func wallClockDwell() {
        var script = ScriptedTracks(zones: [square()])
        script.withoutPts = true
        script.walk(id: 1, from: (50, 150), to: (250, 150), steps: 20)
        #expect(script.summary == ["enter yard 1", "exit yard 1"])
        #expect(script.events[0].pts == nil)
        #expect(abs((script.events[1].dwell ?? 0) - 1.0) < 1e-6)
    }
}

/// A small deterministic generator for the jitter test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
