import Testing

@testable import Pipeline

@Suite("Reload: what a re-read configuration changes, by stream name")
struct ConfigurationDiffTests {
    static func config(_ streams: String, extra: String = "") throws -> DaemonConfiguration {
        try DaemonConfiguration.parse(
            """
            [model]
            path = "models/a.safetensors"
            \(extra)
            \(streams)
            """)
    }

    static let two = """
        [[streams]]
        name = "door"
        url = "door.mp4"
        [[streams]]
        name = "yard"
        url = "rtsp://cam/yard"
        """

    @Test("added, removed, changed and unchanged streams are told apart by name")
    func streamsByName() throws {
        let old = try Self.config(Self.two)
        let new = try Self.config(
            """
            [[streams]]
            name = "yard"
            url = "rtsp://cam/yard"
            threshold = 0.7
            [[streams]]
            name = "gate"
            url = "gate.mp4"
            """)
        let diff = ConfigurationDiff(old: old, new: new)
        #expect(diff.added == ["gate"])
        #expect(diff.removed == ["door"])
        #expect(diff.changed == ["yard"])
        #expect(diff.unchanged.isEmpty)
        #expect(diff.restartKeys.isEmpty)
        #expect(diff.effective == new)
    }

    @Test("the same file again changes nothing")
    func sameFile() throws {
        let diff = ConfigurationDiff(old: try Self.config(Self.two), new: try Self.config(Self.two))
        #expect(diff.unchanged == ["door", "yard"])
        #expect(diff.isEmpty)
    }

    @Test("the effective model path counts: a stream without `model` changes with [model] path, one with its own does not")
    func effectiveModel() throws {
        let streams = Self.two + "\nmodel = \"models/own.safetensors\""
        let old = try Self.config(streams)
        var new = old
        new.modelPath = "models/b.safetensors"
        let diff = ConfigurationDiff(old: old, new: new)
        #expect(diff.changed == ["door"])
        #expect(diff.unchanged == ["yard"])
    }

    @Test("the effective queue counts: [workers] queue changes the streams that use it")
    func effectiveQueue() throws {
        let old = try Self.config(Self.two + "\nqueue = 3")
        var new = old
        new.workers.queueCapacity = 20
        let diff = ConfigurationDiff(old: old, new: new)
        #expect(diff.changed == ["door"])
        #expect(diff.unchanged == ["yard"])
    }

    @Test("zones are part of a stream; [tracker] restarts every stream")
    func zonesAndTracker() throws {
        let old = try Self.config(Self.two)
        var zoned = old
        zoned.streams[1].zones = try Self.config(
            Self.two + """

                [[streams.zones]]
                name = "porch"
                points = [[0, 0], [50, 0], [50, 50]]
                """
        ).streams[1].zones
        #expect(!zoned.streams[1].zones.isEmpty)
        #expect(ConfigurationDiff(old: old, new: zoned).changed == ["yard"])
        var tracked = old
        tracked.tracker.maxAge += 5
        #expect(ConfigurationDiff(old: old, new: tracked).changed == ["door", "yard"])
    }

    @Test("settings only a restart applies are named and keep their running values; outputs that changed are listed")
    func restartKeysAndOutputs() throws {
        let old = try Self.config(Self.two, extra: "[workers]\ncount = 2\n[logging]\nlevel = \"info\"\n[output.file]\npath = \"/tmp/a.jsonl\"")
        let new = try Self.config(Self.two, extra: "[workers]\ncount = 4\n[logging]\nlevel = \"debug\"\n[output.file]\npath = \"/tmp/b.jsonl\"")
        let diff = ConfigurationDiff(old: old, new: new)
        #expect(diff.restartKeys == ["workers.count", "logging.level"])
        #expect(diff.effective.workers.count == 2)
        #expect(diff.effective.logLevel == "info")
        #expect(diff.effective.output.file?.path == "/tmp/b.jsonl")
        #expect(diff.outputs == ["output.file"])
        #expect(diff.unchanged == ["door", "yard"])
    }
}
