import Foundation
import Sinks
import Testing
import WebAPI

@testable import Pipeline

@Suite("The API's state: statuses from stream records and the metrics, events, pictures, configuration, reload")
struct DaemonAPIStateTests {
    static let text = """
        [model]
        path = "models/default.safetensors"
        [[streams]]
        name = "door"
        url = "rtsp://admin:hunter2@192.0.2.10/stream1"
        [[streams]]
        name = "archive"
        url = "/srv/a.mp4"
        model = "models/other.safetensors"
        [http]
        events = 2
        """

    static func line(_ record: StreamRecord) -> JSONLine { try! JSONLineEncoder().encode(.stream(record)) }

    static func make() throws -> (DaemonAPIState, PipelineMetrics, DaemonConfiguration) {
        let configuration = try DaemonConfiguration.parse(Self.text)
        let metrics = PipelineMetrics(streamNames: configuration.streams.map(\.name))
        return (DaemonAPIState(configuration: configuration, metrics: metrics), metrics, configuration)
    }

    @Test("before any record: starting, redacted URL, the stream's model, zero counts")
    func initial() throws {
        let (state, _, _) = try Self.make()
        let streams = state.streams()
        #expect(streams.map(\.name) == ["door", "archive"])
        #expect(
            streams[0]
                == StreamStatus(name: "door", url: "rtsp://admin:***@192.0.2.10/stream1", live: true, model: "models/default.safetensors"))
        #expect(streams[1].model == "models/other.safetensors" && !streams[1].live && streams[1].state == .starting)
        #expect(state.stream(named: "archive") == streams[1] && state.stream(named: "nope") == nil)
        #expect(state.latestPicture(stream: "door") == nil)
    }

    @Test("stream records: state, since, message; lost and failed ends set the error, connected clears it, a normal end does not")
    func states() async throws {
        let (state, _, _) = try Self.make()
        let sink = APIRecordSink(state: state)
        await sink.write(Self.line(StreamRecord(stream: "door", state: .connected, time: 10, message: "h264 640x480")))
        var door = try #require(state.stream(named: "door"))
        #expect(door.state == .connected && door.since == 10 && door.message == "h264 640x480" && door.error == nil)
        await sink.write(contentsOf: [
            Self.line(StreamRecord(stream: "door", state: .lost, time: 11, message: "connection refused")),
            Self.line(StreamRecord(stream: "door", state: .reconnecting, time: 12, message: "attempt 1 in 1.0 s")),
        ])
        door = try #require(state.stream(named: "door"))
        #expect(door.state == .reconnecting && door.since == 12 && door.error == "connection refused")
        await sink.write(Self.line(StreamRecord(stream: "door", state: .connected, time: 13, message: "h264 640x480")))
        #expect(state.stream(named: "door")?.error == nil)
        await sink.write(Self.line(StreamRecord(stream: "archive", state: .ended, time: 14, message: "model failed: bad file")))
        #expect(state.stream(named: "archive")?.state == .ended && state.stream(named: "archive")?.error == "model failed: bad file")
        await sink.write(Self.line(StreamRecord(stream: "door", state: .ended, time: 15, message: "daemon stopping")))
        #expect(state.stream(named: "door")?.state == .ended && state.stream(named: "door")?.error == nil)
        await sink.write(Self.line(StreamRecord(stream: "ghost", state: .connected, time: 16)))
        #expect(state.streams().count == 2)
        for normal in ["end of file after 300 frames", "daemon stopping", "already processed (resume point in x)", "removed by reload"] {
            #expect(StreamBoard.isNormalEnd(normal))
        }
    }

    @Test("frame counts and rates come from the metrics")
    func counts() throws {
        let (state, metrics, _) = try Self.make()
        for _ in 0..<5 { metrics.decoded(stream: 1) }
        for _ in 0..<4 { metrics.inferred(stream: 1, seconds: 0.01) }
        metrics.dropped(stream: 1)
        for _ in 0..<3 { metrics.written(stream: 1, endToEndSeconds: 0.02) }
        let archive = try #require(state.stream(named: "archive"))
        #expect(archive.frames == StreamStatus.FrameCounts(decoded: 5, inferred: 4, dropped: 1, written: 3))
        #expect(archive.inputFps > 0 && archive.outputFps > 0)
        #expect(archive.lastFrameTime.map { abs($0 - Date().timeIntervalSince1970) < 60 } == true)
        #expect(state.stream(named: "door")?.frames == StreamStatus.FrameCounts())
        #expect(state.metricsText().contains("ssdd_frames_written_total{stream=\"archive\"} 3"))
    }

    @Test("events: track and event records in a ring of [http] events")
    func events() throws {
        let (state, _, _) = try Self.make()
        let lines = (1...3).map { EventRingTests.track("door", id: $0, time: Double($0)) }
        state.take(contentsOf: lines + [Self.line(StreamRecord(stream: "door", state: .connected, time: 1))])
        #expect(state.events(matching: EventQuery()) == [lines[2], lines[1]])
    }

    @Test("a reload: added streams start, removed ones go with their pictures, changed ones start over, the JSON follows")
    func reload() throws {
        let (state, _, configuration) = try Self.make()
        state.take(Self.line(StreamRecord(stream: "door", state: .connected, time: 1)))
        state.take(Self.line(StreamRecord(stream: "archive", state: .connected, time: 1)))
        state.pictures.store([0xFF, 0xD8], stream: "archive")
        state.pictures.store([0xFF, 0xD8], stream: "door")
        var next = configuration
        next.streams.remove(at: 1)
        next.streams.append(StreamConfiguration(name: "yard", url: "rtsp://192.0.2.11/s", live: true))
        next.streams[0].threshold = 0.7  // not part of the status: the stream keeps its state
        state.apply(next)
        #expect(state.streams().map(\.name) == ["door", "yard"])
        #expect(state.stream(named: "door")?.state == .connected && state.stream(named: "yard")?.state == .starting)
        #expect(state.latestPicture(stream: "archive") == nil && state.latestPicture(stream: "door") != nil)
        #expect(String(bytes: state.configurationJSON(), encoding: .utf8)?.contains("\"yard\"") == true)
        next.streams[0].url = "rtsp://192.0.2.12/other"
        state.apply(next)
        #expect(state.stream(named: "door")?.state == .starting)
    }
}
