import Foundation
import Sinks
import Testing
import Tracking

@testable import Pipeline

@Suite("Event stage: a plugged stage sees every tracked frame and its records reach the outputs in order")
struct EventStageTests {
    /// Adds a notice after every frame (naming the frame and the tracks it started) and one when the stream ends.
    struct ZoneStage: EventStage {
        var frames = 0

        mutating func analyze(_ frame: inout TrackedFrame) -> [Record] {
            frames += 1
            let started = frame.startedTracks.map { "\($0.trackID)" }.joined(separator: ",")
            let tracks = frame.record.detections.map { $0.trackID.map(String.init) ?? "-" }.joined(separator: ",")
            return [.notice(NoticeRecord(reason: "zone \(frame.record.frameIndex) tracks \(tracks) started [\(started)]"))]
        }

        mutating func finish(endedTracks: inout [TrackRecord]) -> [Record] {
            [.notice(NoticeRecord(reason: "zone end after \(frames) frames, ended \(endedTracks.map(\.trackID))"))]
        }
    }

    /// Runs `frames` frames of one stream through inference (fake detector) and delivery with `stage`.
    static func deliver(frames: Int, emptyFrames: Bool = true, stage: @escaping EventStageFactory) async throws -> [[String: Any]] {
        let metrics = PipelineMetrics(streamNames: ["s0"])
        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let scheduler = FrameScheduler(liveStreams: [false], capacity: 64, metrics: metrics, deliver: { continuation.yield($0) })
        let worker = InferenceWorker(
            detectors: [FakeDetector()], streamModel: [0], streams: [Fakes.stream()], scheduler: scheduler, metrics: metrics,
            logger: Fakes.logger, deliver: { continuation.yield($0) })
        for i in 0..<frames { #expect(scheduler.accept(stream: 0, frame: FakeSource.frame(i), frameIndex: i) == .accepted) }
        scheduler.finish(stream: 0, complete: true)
        let sink = FakeSink()
        let queue = OutputQueue(name: "fake", sink: sink, logger: Fakes.logger)
        let delivery = DeliveryStage(
            streams: [Fakes.stream()], trackerConfiguration: TrackerConfiguration(), emptyFrames: emptyFrames,
            scheduler: scheduler, metrics: metrics, logger: Fakes.logger, outputs: [[queue]], eventStages: stage)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            group.addTask {
                await runOnThread("ssdd-infer-0") { worker.run() }
                continuation.finish()
            }
            try await delivery.run(items)
            queue.finish()
            try await group.waitForAll()
        }
        return sink.objects
    }

    /// One word per record: `frame N`, the notice's reason, or `track start|end ID`.
    static func describe(_ objects: [[String: Any]]) -> [String] {
        objects.map { o in
            switch o["kind"] as? String {
            case "frame": "frame \(o["frame"] as? Int ?? -1)"
            case "notice": o["reason"] as? String ?? "?"
            case "track": "track \(o["event"] as? String ?? "?") \(o["track"] as? Int ?? -1)"
            default: "?"
            }
        }
    }

    @Test("the stage's records follow each frame's own records (track starts, frame, track ends); its last ones follow the stream's end")
    func recordsInOrder() async throws {
        let objects = try await Self.deliver(frames: 4, stage: { _ in ZoneStage() })
        #expect(
            Self.describe(objects) == [
                "frame 0", "zone 0 tracks - started []",
                "frame 1", "zone 1 tracks - started []",
                "track start 1", "frame 2", "zone 2 tracks 1 started [1]",
                "frame 3", "zone 3 tracks 1 started []",
                "track end 1", "zone end after 4 frames, ended [1]",
            ])
    }

    @Test("the default stage passes through: only the frame and track records")
    func passThrough() async throws {
        let objects = try await Self.deliver(frames: 4, stage: { _ in PassThroughEventStage() })
        #expect(Self.describe(objects) == ["frame 0", "frame 1", "track start 1", "frame 2", "frame 3", "track end 1"])
    }
}
