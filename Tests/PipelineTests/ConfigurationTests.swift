import Foundation
import Pipeline
import Testing

@Suite("Daemon configuration: typed, validated, errors name the key")
struct ConfigurationTests {
    static let minimal = """
        [[streams]]
        name = "cam1"
        url = "rtsp://127.0.0.1/cam"
        """

    @Test("the shipped example is valid")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/ssdd.toml").path
        let c = try DaemonConfiguration.load(path: path)
        #expect(c.streams.map(\.name) == ["door", "archive"])
        #expect(c.streams[0].live && !c.streams[1].live)
        #expect(c.streams[0].minimumScore(for: "person") == 0.6)
        #expect(c.streams[0].minimumScore(for: "dog") == 0.5)
        #expect(c.streams[0].maxFramesPerSecond == 10)
        #expect(c.output.socket?.mode == 0o660)
        #expect(c.metrics == MetricsConfiguration(host: "127.0.0.1", port: 9464))
        #expect(c.tracker.minHits == 3)
        #expect(c.workers.winograd)
        #expect(c.streams.map(\.queueCapacity) == [3, nil])
    }

    @Test("workers.winograd turns Winograd off")
    func winogradOff() throws {
        let c = try DaemonConfiguration.parse(Self.minimal + "\n[workers]\nwinograd = false")
        #expect(c.workers == WorkerConfiguration(count: 2, threads: 1, queueCapacity: 8, winograd: false))
    }

    @Test("defaults")
    func defaults() throws {
        let c = try DaemonConfiguration.parse(Self.minimal)
        #expect(c.modelPath == "models/person.safetensors")
        #expect(c.workers == WorkerConfiguration(count: 2, threads: 1, queueCapacity: 8))
        #expect(c.streams == [StreamConfiguration(name: "cam1", url: "rtsp://127.0.0.1/cam", live: true)])
        #expect(c.metrics == nil)
        #expect(c.output.emptyFrames)
    }

    @Test(
        "malformed configurations",
        arguments: [
            ("", "<config>: streams: at least one [[streams]] entry is required"),
            ("[[streams]]\nname = \"a\"", "<config>: streams[0].url: is required (a string)"),
            ("[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nfps = \"ten\"", "<config>: streams[0].fps: expected a number, got string \"ten\""),
            (
                "[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nfps = -2",
                "<config>: streams[0].fps: must be a positive number of frames per second up to 1000, got -2.0"
            ),
            ("[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nthreshold = 1.5", "<config>: streams[0].threshold: must be between 0.0 and 1.0, got 1.5"),
            (
                "[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\n[[streams]]\nname = \"a\"\nurl = \"y.mp4\"",
                "<config>: streams[1].name: 'a' is used by another stream; names must be unique"
            ),
            (
                "[[streams]]\nname = \"a b\"\nurl = \"x.mp4\"",
                "<config>: streams[0].name: use letters, digits, '-', '_' or '.' only (it names files), got 'a b'"
            ),
            (
                "[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nfsp = 3",
                "<config>: streams[0].fsp: unknown key (supported here: decoder_threads, every, fps, labels, lines, live, loop, model, motion, motion_cell_delta, motion_refresh, motion_threshold, name, precision, queue, realtime, reconnect_initial, reconnect_max, resize, stall_timeout, threshold, thresholds, url, zones)"
            ),
            (minimal + "\n[workers]\ncount = 0", "<config>: workers.count: must be between 1 and 64, got 0"),
            ("[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nqueue = 0", "<config>: streams[0].queue: must be between 1 and 10000, got 0"),
            (minimal + "\n[workers]\nwinograd = \"yes\"", "<config>: workers.winograd: expected true or false, got string \"yes\""),
            (
                minimal + "\n[output.socket]\npath = \"/run/x.sock\"\nmode = \"0999\"",
                "<config>: output.socket.mode: expected an octal file mode such as \"0660\", got '0999'"
            ),
            (minimal + "\n[metrics]\naddress = \"localhost\"", "<config>: metrics.address: expected HOST:PORT, got 'localhost'"),
            (
                minimal + "\n[logging]\nlevel = \"loud\"",
                "<config>: logging.level: expected one of trace, debug, info, notice, warning, error, critical, got 'loud'"
            ),
            ("[[streams]\nname = 1", "<config>: not valid TOML at line 1, column 11: Error while parsing table header: expected ']', saw '\\n'"),
        ])
    func malformed(_ text: String, _ message: String) {
        do {
            _ = try DaemonConfiguration.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func unreadableFile() {
        #expect(throws: ConfigurationError(file: "/nonexistent/ssdd.toml", key: "", message: "no such file")) {
            try DaemonConfiguration.load(path: "/nonexistent/ssdd.toml")
        }
    }
}
