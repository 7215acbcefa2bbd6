import Testing

@testable import Pipeline

@Suite("Stream keys motion, motion_threshold, motion_cell_delta, motion_refresh")
struct MotionConfigurationTests {
    static func stream(_ extra: String, name: String = "cam") -> String {
        "[[streams]]\nname = \"\(name)\"\nurl = \"rtsp://127.0.0.1/cam\"\n\(extra)"
    }

    @Test("off by default; motion = true takes the defaults; each key is read")
    func reads() throws {
        #expect(try DaemonConfiguration.parse(Self.stream("")).streams[0].motion == nil)
        #expect(try DaemonConfiguration.parse(Self.stream("motion = false")).streams[0].motion == nil)
        #expect(try DaemonConfiguration.parse(Self.stream("motion = true")).streams[0].motion == MotionSettings())
        let tuned = try DaemonConfiguration.parse(
            Self.stream("motion = true\nmotion_threshold = 0.01\nmotion_cell_delta = 12\nmotion_refresh = 5"))
        #expect(tuned.streams[0].motion == MotionSettings(threshold: 0.01, cellDelta: 12, refreshSeconds: 5))
        #expect(MotionSettings() == MotionSettings(threshold: 0.004, cellDelta: 8, refreshSeconds: 2))
    }

    @Test(
        "bad values are refused with the key named, whether or not motion is on",
        arguments: [
            ("motion = \"yes\"", "streams[0].motion: expected true or false, got string \"yes\""),
            (
                "motion = true\nmotion_threshold = 0",
                "streams[0].motion_threshold: must be above 0 (a fraction of the thumbnail's cells) and at most 1, got 0.0"
            ),
            ("motion = true\nmotion_threshold = 1.5", "streams[0].motion_threshold: must be between 0.0 and 1.0, got 1.5"),
            ("motion_threshold = -0.1", "streams[0].motion_threshold: must be between 0.0 and 1.0, got -0.1"),
            ("motion = true\nmotion_threshold = \"high\"", "streams[0].motion_threshold: expected a number, got string \"high\""),
            ("motion = true\nmotion_threshold = nan", "streams[0].motion_threshold: must be between 0.0 and 1.0, got nan"),
            ("motion = true\nmotion_cell_delta = 0", "streams[0].motion_cell_delta: must be between 1 and 254, got 0"),
            ("motion_cell_delta = 255", "streams[0].motion_cell_delta: must be between 1 and 254, got 255"),
            ("motion = true\nmotion_cell_delta = 8.5", "streams[0].motion_cell_delta: expected an integer, got floating-point number 8.5"),
            ("motion = true\nmotion_refresh = 0", "streams[0].motion_refresh: must be between 0.1 and 3600.0, got 0.0"),
            ("motion = true\nmotion_refresh = 7200", "streams[0].motion_refresh: must be between 0.1 and 3600.0, got 7200.0"),
        ])
    func refused(extra: String, message: String) {
        do {
            _ = try DaemonConfiguration.parse(Self.stream(extra))
            Issue.record("accepted: \(extra)")
        } catch {
            #expect(error.description == "<config>: \(message)")
        }
    }

    @Test("a misspelt key is refused, the motion keys listed as supported")
    func misspelt() {
        #expect {
            _ = try DaemonConfiguration.parse(Self.stream("motion = true\nmotion_refersh = 3"))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("<config>: streams[0].motion_refersh: unknown key")
                && ["motion", "motion_threshold", "motion_cell_delta", "motion_refresh"].allSatisfy { text.contains($0) }
        }
    }

    @Test("the motion keys are stream settings: a change restarts that stream alone")
    func reloadRestartsTheStream() throws {
        let old = try DaemonConfiguration.parse(Self.stream("motion = true") + "\n" + Self.stream("", name: "yard"))
        for changed in [
            "motion = false", "motion = true\nmotion_threshold = 0.02", "motion = true\nmotion_cell_delta = 4",
            "motion = true\nmotion_refresh = 10",
        ] {
            let new = try DaemonConfiguration.parse(Self.stream(changed) + "\n" + Self.stream("", name: "yard"))
            let diff = ConfigurationDiff(old: old, new: new)
            #expect(diff.changed == ["cam"] && diff.unchanged == ["yard"], "\(changed)")
        }
        #expect(ConfigurationDiff(old: old, new: old).isEmpty)
    }

    @Test("ssdd detect's options carry the settings into the file stream they run")
    func detectOptions() {
        var options = DetectOptions()
        #expect(options.stream(for: "clip.mp4").motion == nil)
        options.motion = MotionSettings(refreshSeconds: 4)
        #expect(options.stream(for: "clip.mp4").motion == MotionSettings(refreshSeconds: 4))
    }
}
