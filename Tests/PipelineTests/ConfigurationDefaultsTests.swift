import Events
import Foundation
import Kafka
import Pipeline
import Sinks
import TensorEngine
import Testing
import Tracking
import WebAPI

/// The configuration structs hold the only copy of every default: a key left out of the TOML file takes the struct's
/// value, and the documented example (Config/ssdd.toml) shows those same values.
@Suite("Configuration defaults: one home, documented truthfully")
struct ConfigurationDefaultsTests {
    static let minimal = """
        [[streams]]
        name = "cam1"
        url = "rtsp://127.0.0.1/cam"
        """

    static let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/ssdd.toml").path

    @Test("a minimal file equals the structs' defaults")
    func minimalFile() throws {
        let expected = DaemonConfiguration(
            modelPath: DaemonConfiguration.defaultModelPath, workers: WorkerConfiguration(),
            streams: [StreamConfiguration(name: "cam1", url: "rtsp://127.0.0.1/cam", live: true)], tracker: TrackerConfiguration(),
            output: OutputConfiguration(), metrics: nil, logLevel: DaemonConfiguration.defaultLogLevel)
        #expect(try DaemonConfiguration.parse(Self.minimal) == expected)
        #expect(expected.modelPath == "models/person.safetensors" && expected.logLevel == "info")
    }

    @Test("empty tables take every key's default from its struct")
    func emptyTables() throws {
        let text =
            Self.minimal + """

                [model]
                path = "m.safetensors"
                [workers]
                [tracker]
                [output]
                [output.file]
                path = "/tmp/d.jsonl"
                [output.socket]
                path = "/tmp/s.sock"
                [metrics]
                [logging]
                [state]
                """
        let c = try DaemonConfiguration.parse(text)
        #expect(c.workers == WorkerConfiguration())
        #expect(c.tracker == TrackerConfiguration())
        #expect(
            c.output
                == OutputConfiguration(
                    file: FileOutputConfiguration(path: "/tmp/d.jsonl"),
                    socket: SocketOutputConfiguration(publisher: PublisherConfiguration(path: "/tmp/s.sock"))))
        #expect(c.output.socket == SocketOutputConfiguration(path: "/tmp/s.sock"))
        #expect(c.metrics == MetricsConfiguration())
        #expect(c.logLevel == DaemonConfiguration.defaultLogLevel && c.stateDirectory == nil)
    }

    /// What Config/ssdd.toml sets: the structs' defaults except the values it shows as examples, listed here.
    static func documentedExample() -> DaemonConfiguration {
        var door = StreamConfiguration(name: "door", url: "rtsp://192.0.2.10:554/stream1", live: true)
        door.maxFramesPerSecond = 10
        door.labelThresholds = ["person": 0.6]
        door.labels = ["person"]
        door.queueCapacity = 3
        door.zones = [
            ZoneDefinition(
                name: "driveway", points: [.init(x: 100, y: 400), .init(x: 620, y: 400), .init(x: 620, y: 720), .init(x: 100, y: 720)],
                labels: ["person"], anchor: .bottom, loiter: 10)
        ]
        door.lines = [LineDefinition(name: "entrance", from: .init(x: 320, y: 480), to: .init(x: 320, y: 0), labels: ["person"])]
        var archive = StreamConfiguration(name: "archive", url: "/var/lib/ssdd/archive/2026-11-26.mp4", live: false)
        archive.everyNth = 5
        var file = FileOutputConfiguration(path: "/var/log/ssdd/detections.jsonl")
        file.rotateBytes = 104_857_600
        file.rotateSeconds = 86400
        return DaemonConfiguration(
            modelPath: "/usr/local/share/ssdd/models/person.safetensors", workers: WorkerConfiguration(), streams: [door, archive],
            tracker: TrackerConfiguration(),
            output: documentedOutput(file: file), metrics: MetricsConfiguration(), logLevel: DaemonConfiguration.defaultLogLevel,
            http: HTTPConfiguration())
    }

    /// The example's outputs: the file and the socket, and snapshots with their defaults.
    static func documentedOutput(file: FileOutputConfiguration) -> OutputConfiguration {
        var output = OutputConfiguration(
            file: file, socket: SocketOutputConfiguration(publisher: PublisherConfiguration(path: "/run/ssdd/ssdd.sock")))
        output.snapshots = SnapshotConfiguration(directory: "/var/lib/ssdd/snapshots")
        return output
    }

    @Test("every value Config/ssdd.toml writes out is the struct's default, except the listed examples")
    func exampleValues() throws {
        #expect(try DaemonConfiguration.load(path: Self.examplePath) == Self.documentedExample())
    }

    @Test("the commented-out settings of Config/ssdd.toml are the defaults, except the listed examples")
    func commentedValues() throws {
        let text = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        var uncommented: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            // `# [table]   # note`: a whole optional table shown commented out (its keys follow).
            if line.hasPrefix("# ["), let close = line.firstIndex(of: "]"), line[line.index(after: close)...].first.map({ $0 == " " }) ?? true {
                uncommented.append(String(line.dropFirst(2).prefix { $0 != " " }))
                return line.dropFirst(2)
            }
            // `# key = value   # note`: a setting shown commented out.
            guard line.hasPrefix("# "), let equals = line.firstIndex(of: "="),
                line[line.index(line.startIndex, offsetBy: 2)..<equals].trimmingCharacters(in: .whitespaces)
                    .allSatisfy({ $0.isLetter || $0 == "_" })
            else { return line }
            uncommented.append(String(line.dropFirst(2).prefix { $0 != " " }))
            return line.dropFirst(2)
        }
        let kafkaKeys = ["brokers", "topic", "kinds", "compression", "queue_messages", "delivery_timeout", "flush_timeout"]
        let zoneKeys = ["debounce", "margin"]
        let motionKeys = ["motion", "motion_threshold", "motion_cell_delta", "motion_refresh"]
        let shown =
            ["precision", "live", "every", "model", "precision"] + zoneKeys + ["realtime", "loop"] + motionKeys + [
                "group", "group", "[output.kafka]",
            ] + kafkaKeys + [
                "[output.kafka.properties]", "token_file", "dir",
            ]
        #expect(uncommented == shown)
        var expected = Self.documentedExample()
        expected.streams[0].model = "/path/other.safetensors"
        expected.streams[0].precision = .int8
        expected.output.file?.group = "adm"
        expected.output.socket?.publisher.group = "ssdd"
        expected.stateDirectory = "/var/lib/ssdd"
        expected.http?.tokenFile = "/etc/ssdd/http-token"
        expected.output.kafka = KafkaOutputConfiguration(brokers: ["kafka-1.example:9092", "kafka-2.example:9092"])
        #expect(try DaemonConfiguration.parse(lines.joined(separator: "\n"), file: Self.examplePath) == expected)
    }
}
