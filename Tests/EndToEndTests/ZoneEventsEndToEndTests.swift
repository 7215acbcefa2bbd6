import Foundation
import TestSupport
import Testing

/// Zones, lines and loitering with the real detector: one daemon run over four clips of a real person (cut out of
/// darknet's person.jpg) walking across the picture, each a stream of its own.
@Suite("Zones and lines end to end: events from the real detector on clips of a walking person")
struct ZoneEventsEndToEndTests {
    /// The places every stream but `plain` has: the door line in the middle (upwards: left to right is "in"), a zone
    /// around it with a 1.5 s loiter, and a zone in the top-left corner that the feet never reach.
    static let places = """
        [[streams.zones]]
        name = "middle"
        points = [[110, 120], [210, 120], [210, 240], [110, 240]]
        labels = ["person"]
        loiter = 1.5
        [[streams.zones]]
        name = "corner"
        relative = true
        points = [[0, 0], [0.2, 0], [0.2, 0.25], [0, 0.25]]
        [[streams.lines]]
        name = "door"
        points = [[160, 235], [160, 5]]
        """

    /// One record kind of one stream, as parsed objects.
    struct Output {
        let objects: [[String: Any]]

        func of(_ stream: String, kind: String) -> [[String: Any]] {
            objects.filter { $0["stream"] as? String == stream && $0["kind"] as? String == kind }
        }

        /// `event place [direction]` per event of `stream`, in order.
        func events(_ stream: String) -> [String] {
            of(stream, kind: "event").map { e in
                let place = (e["zone"] as? String) ?? (e["line"] as? String) ?? "?"
                let direction = (e["direction"] as? String).map { " \($0)" } ?? ""
                return "\(e["event"] as? String ?? "?") \(place)\(direction)"
            }
        }
    }

    @Test("one cross per pass in the walking direction, enter and exit once, one loiter for the stop, nothing elsewhere")
    func walkingPerson() throws {
        let dir = ScratchDirectory.make("zones").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try WalkingPersonClip.write("\(dir)/pass.mp4", positions: WalkingPersonClip.leftToRight)
        try WalkingPersonClip.write("\(dir)/back.mp4", positions: WalkingPersonClip.leftToRight.reversed())
        try WalkingPersonClip.write("\(dir)/stop.mp4", positions: WalkingPersonClip.stopping(seconds: 3))
        var config = """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            threads = 1
            [output.file]
            path = "\(dir)/out.jsonl"

            """
        for name in ["pass", "back", "stop"] {
            config += "[[streams]]\nname = \"\(name)\"\nurl = \"\(dir)/\(name).mp4\"\n" + Self.places + "\n"
        }
        config += "[[streams]]\nname = \"plain\"\nurl = \"\(dir)/pass.mp4\"\n"
        try config.write(toFile: "\(dir)/ssdd.toml", atomically: true, encoding: .utf8)

        let run = try DetectRunIdentityTests.run(["run", "--config", "ssdd.toml"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOfFile: "\(dir)/out.jsonl", encoding: .utf8)
        let output = Output(objects: text.split(separator: "\n").compactMap { DaemonHarness.json(String($0)) })

        // Walking left to right: in through the door, through the middle zone once, too fast to loiter.
        #expect(output.events("pass") == ["enter middle", "cross door in", "exit middle"])
        // The same clip backwards: out.
        #expect(output.events("back") == ["enter middle", "cross door out", "exit middle"])
        // Stopping in the middle for 3 s: one loiter in that stay.
        #expect(output.events("stop") == ["enter middle", "loiter middle", "cross door in", "exit middle"])
        // The stream without places: no events, and its records carry no zone keys.
        #expect(output.events("plain").isEmpty)
        let plainFrames = output.of("plain", kind: "frame")
        let plainDetections = plainFrames.flatMap { $0["detections"] as? [[String: Any]] ?? [] }
        #expect(!plainDetections.isEmpty && plainDetections.allSatisfy { $0["zones"] == nil })
        #expect(output.of("plain", kind: "track").allSatisfy { $0["zones"] == nil && $0["lines"] == nil })

        for stream in ["pass", "back", "stop"] {
            // One person, one track: its end record names the zone it entered and the line it crossed.
            let ends = output.of(stream, kind: "track").filter { $0["event"] as? String == "end" }
            #expect(ends.count == 1, "\(stream)")
            #expect(ends.first?["zones"] as? [String] == ["middle"], "\(stream)")
            #expect(ends.first?["lines"] as? [String] == ["door"], "\(stream)")
            // Detections list the zones their feet are in: some frames in "middle", none ever in "corner".
            let detections = output.of(stream, kind: "frame").flatMap { $0["detections"] as? [[String: Any]] ?? [] }
            let zones = detections.compactMap { $0["zones"] as? [String] }
            #expect(zones.count == detections.count, "\(stream)")
            #expect(zones.contains(["middle"]) && !zones.contains { $0.contains("corner") }, "\(stream)")
            // Every event names the stream's track and has the schema's fields.
            for event in output.of(stream, kind: "event") {
                #expect(event["track"] as? Int == ends.first?["track"] as? Int)
                #expect(event["label"] as? String == "person" && event["v"] as? Int == 1)
                #expect((event["box"] as? [Double])?.count == 4 && event["frame"] is Int && event["pts"] is Double)
            }
        }
        let exits = output.of("stop", kind: "event").filter { $0["event"] as? String == "exit" }
        let loiters = output.of("stop", kind: "event").filter { $0["event"] as? String == "loiter" }
        let exitDwell = try #require(exits.first?["dwell"] as? Double)
        let loiterDwell = try #require(loiters.first?["dwell"] as? Double)
        #expect(loiterDwell >= 1.5 && loiterDwell < 2)
        #expect(exitDwell > 3 && exitDwell < 5)

        // ssdd detect with the pass stream's places writes the same events.
        let detect = try DetectRunIdentityTests.run(
            ["detect", "pass.mp4", "--config", "ssdd.toml", "--stream", "pass", "--model", DaemonTests.modelPath], in: dir)
        #expect(detect.status == 0, "\(detect.stderr)")
        let detected = Output(objects: detect.stdout.split(separator: "\n").compactMap { DaemonHarness.json(String($0)) })
        #expect(detected.events("pass.mp4") == ["enter middle", "cross door in", "exit middle"])
    }
}
