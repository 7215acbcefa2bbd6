import Foundation
import Imaging
import Logging
import MediaIO
import Sinks
import Synchronization
import TestSupport
import Testing

@testable import Pipeline

/// `loop = true` on a real file: ``SourceRunner`` reads a short clip again and again through a real ``FrameScheduler``.
@Suite("Looping file streams")
struct FileLoopTests {
    static let logger = Logger(label: "PipelineTests.loop")

    /// What the scheduler delivered of stream 0: state changes and the end.
    final class Markers: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ marker: String) { storage.withLock { $0.append(marker) } }
        var all: [String] { storage.withLock { $0 } }
    }

    /// A `frames`-frame clip (64×48, 25 frames/s) in a fresh directory.
    static func clip(frames: Int) throws -> String {
        let path = ScratchDirectory.make("loop").appendingPathComponent("clip.mp4").path
        let writer = try VideoWriter(path: path, codec: .mpeg4, width: 64, height: 48, framesPerSecond: 25, quality: 2)
        for i in 0..<frames {
            try writer.append(RGBImage(width: 64, height: 48) { x, y in (UInt8((x + i) % 256), UInt8(y), 128) })
        }
        try writer.finish()
        return path
    }

    /// Runs `configuration` as stream 0 and takes frames like a worker (releasing each at once) until `stopAfter` frames
    /// were taken (then stops the sources) or the stream ends. Returns the frame indices taken and the markers.
    static func play(_ configuration: StreamConfiguration, stopAfter: Int) async throws -> (frames: [Int], markers: [String], pts: [Double?]) {
        let markers = Markers()
        let metrics = PipelineMetrics(streamNames: [configuration.name])
        let scheduler = FrameScheduler(liveStreams: [false], capacity: 4, metrics: metrics) { item in
            switch item {
            case .state(_, _, let state, let message, _, _): markers.append("\(state.rawValue): \(message ?? "")")
            case .finished(_, _, let complete): markers.append("finished complete=\(complete)")
            case .frame, .added: break
            }
        }
        let source = SourceRunner(
            index: 0, configuration: configuration, networkInputSize: (64, 48), scheduler: scheduler, metrics: metrics, logger: logger)
        let reading = Task.detached { try await RawSocketClient.offPool { source.run() } }
        let taken = try await RawSocketClient.offPool { () -> [(Int, Double?)] in
            var taken: [(Int, Double?)] = []
            while let item = scheduler.take() {
                taken.append((item.frameIndex, item.frame.presentationTime))
                scheduler.release(stream: 0)
                if taken.count == stopAfter { scheduler.stopSources() }
            }
            return taken
        }
        try await reading.value
        return (taken.map(\.0), markers.all, taken.map(\.1))
    }

    @Test("a looping file starts again at its end: frame numbers continue, one connected record, no record for the wraps")
    func loops() async throws {
        var configuration = StreamConfiguration(name: "loop", url: try Self.clip(frames: 5), live: false)
        configuration.loop = true
        let (frames, markers, pts) = try await Self.play(configuration, stopAfter: 13)
        // 13 frames is two whole passes and three frames into the third; frames taken after the stop are the few
        // already accepted.
        #expect(frames.count >= 13)
        #expect(frames == Array(0..<frames.count), "\(frames)")
        // Timestamps go on across the wraps too: frame N at N / 25 s.
        let expected = frames.map { Double($0) * 0.04 }
        #expect(zip(pts, expected).allSatisfy { abs(($0 ?? -1) - $1) < 1e-6 }, "\(pts)")
        #expect(markers.first == "connected: mpeg4 64x48", "\(markers)")
        #expect(markers.filter { $0.hasPrefix("connected") }.count == 1, "\(markers)")
        #expect(markers.dropFirst().first == "ended: daemon stopping", "\(markers)")
        #expect(markers.last == "finished complete=false", "\(markers)")
    }

    @Test("without loop the same file is read once and its stream ends complete")
    func readsOnce() async throws {
        let configuration = StreamConfiguration(name: "once", url: try Self.clip(frames: 5), live: false)
        let (frames, markers, _) = try await Self.play(configuration, stopAfter: 1000)
        #expect(frames == [0, 1, 2, 3, 4])
        #expect(markers == ["connected: mpeg4 64x48", "ended: end of file after 5 frames", "finished complete=true"])
    }

    @Test("a looping file that yields no frame ends instead of being reopened in a tight loop")
    func emptyFileEnds() async throws {
        // A YUV4MPEG2 header and nothing else: the file opens and ends before its first frame.
        let path = ScratchDirectory.make("loop-empty").appendingPathComponent("empty.y4m").path
        try Data("YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg\n".utf8).write(to: URL(fileURLWithPath: path))
        var configuration = StreamConfiguration(name: "empty", url: path, live: false)
        configuration.loop = true
        let (frames, markers, _) = try await Self.play(configuration, stopAfter: 1000)
        #expect(frames.isEmpty)
        #expect(markers.last == "finished complete=false", "\(markers)")
        let ended = try #require(markers.dropLast().last, "\(markers)")
        #expect(ended == "ended: \(FilePass.emptyPassMessage)" || ended.hasPrefix("ended: "), "\(markers)")
        #expect(markers.filter { $0.hasPrefix("connected") }.count <= 1, "\(markers)")
    }

    @Test("a pass starts again only when it yielded a frame")
    func passRule() {
        #expect(FilePass(framesYielded: 1).startsAgain)
        #expect(FilePass(framesYielded: 250).startsAgain)
        #expect(!FilePass(framesYielded: 0).startsAgain)
    }

    @Test("a new pass starts one frame interval after the last frame of the one before, whatever its first timestamp")
    func timeline() {
        var timeline = LoopTimeline()
        let first = [0, 0.04, 0.08].map { timeline.place($0) }
        timeline.startPass()
        let second = [0.5, 0.54].map { timeline.place($0) ?? -1 }
        let missing = timeline.place(nil)
        let notANumber = timeline.place(Double.nan)
        timeline.startPass()
        let third = timeline.place(0) ?? -1
        #expect(first == [0, 0.04, 0.08])
        #expect(abs(second[0] - 0.12) < 1e-9 && abs(second[1] - 0.16) < 1e-9, "\(second)")
        #expect(missing == nil)
        #expect(notANumber?.isNaN == true)
        #expect(abs(third - 0.20) < 1e-9)
    }
}
