import Detection
import Foundation
import Geometry
import Imaging
import MediaIO
import Sinks
import Synchronization
import Testing
import Tracking

@testable import Pipeline

@Suite("Motion gating in the pipeline: gated frames skip the workers, keep their order and reuse the last detections")
struct MotionDeliveryTests {
    /// Finds one person whose left edge is the frame's first pixel value, so each frame's detection tells which
    /// frame was inferred; counts the frames it sees.
    final class PixelDetector: FrameDetector, @unchecked Sendable {
        // Unchecked: `seen` is behind its mutex; nothing else is stored.
        private let seen = Mutex<[Int]>([])
        var frames: [Int] { seen.withLock { $0 } }

        func detect(_ image: RGBImage) throws -> [Detection] {
            let value = Int(image.pixels[0])
            seen.withLock { $0.append(value) }
            return [Detection(classIndex: 1, label: "person", score: 0.9, box: Box(x1: Double(value), y1: 10, x2: Double(value) + 40, y2: 90))]
        }
    }

    static func frame(_ i: Int) -> VideoFrame {
        VideoFrame(
            index: i, presentationTime: Double(i) / 10, sourceWidth: 64, sourceHeight: 48,
            image: RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: UInt8(i), count: 48)))
    }

    /// Runs frames `0..<gated.count` of one stream (frame i gated when `gated[i]`) through the scheduler, one worker
    /// and delivery; returns the records written and the frames the detector saw.
    static func run(gated: [Bool], capacity: Int = 64) async throws -> (records: [[String: Any]], inferred: [Int], metrics: PipelineMetrics) {
        let metrics = PipelineMetrics(streamNames: ["s0"])
        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let scheduler = FrameScheduler(liveStreams: [false], capacity: capacity, metrics: metrics, deliver: { continuation.yield($0) })
        let detector = PixelDetector()
        let worker = InferenceWorker(
            detectors: [detector], streamModel: [0], streams: [Fakes.stream()], scheduler: scheduler, metrics: metrics,
            logger: Fakes.logger, deliver: { continuation.yield($0) })
        let sink = FakeSink()
        let queue = OutputQueue(name: "fake", sink: sink, logger: Fakes.logger)
        let delivery = DeliveryStage(
            streams: [Fakes.stream()], trackerConfiguration: TrackerConfiguration(maxAge: 2, minHits: 3), emptyFrames: true,
            scheduler: scheduler, metrics: metrics, logger: Fakes.logger, outputs: [[queue]])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            group.addTask {
                await runOnThread("test-source") {
                    for (i, isGated) in gated.enumerated() {
                        #expect(scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i, gated: isGated) == .accepted)
                    }
                    scheduler.finish(stream: 0, complete: true)
                }
            }
            group.addTask {
                await runOnThread("test-infer") { worker.run() }
                continuation.finish()
            }
            try await delivery.run(items)
            queue.finish()
            try await group.waitForAll()
        }
        return (sink.objects, detector.frames, metrics)
    }

    static func frames(_ records: [[String: Any]]) -> [[String: Any]] { records.filter { $0["kind"] as? String == "frame" } }

    static func left(_ record: [String: Any]) -> Double? {
        ((record["detections"] as? [[String: Any]])?.first?["box"] as? [Double])?.first
    }

    @Test("gated frames never reach the detector, come out in frame order, carry the last inferred detections and inferred: false")
    func reuse() async throws {
        let pattern = [false, true, true, false, true, false, false, true]
        let (records, inferred, metrics) = try await Self.run(gated: pattern)
        #expect(inferred == [0, 3, 5, 6])
        let frames = Self.frames(records)
        #expect(frames.map { $0["frame"] as? Int } == Array(0..<8))
        #expect(frames.map { $0["inferred"] as? Bool } == pattern.map { $0 ? false : nil })
        // Each frame's box is the one of the last inferred frame at or before it.
        #expect(frames.map { Self.left($0) } == [0, 0, 0, 3, 3, 5, 6, 6])
        #expect(metrics.activity(stream: 0)?.gated == 4)
        #expect(metrics.activity(stream: 0)?.inferred == 4)
        let exposition = metrics.render()
        #expect(exposition.contains("ssdd_frames_gated_total{stream=\"s0\"} 4"))
        #expect(exposition.contains("# HELP ssdd_frames_gated_total Frames not inferred because the motion gate saw no motion"))
    }

    @Test(
        "the tracker runs on gated frames: a track is confirmed (min_hits 3) and kept alive on reused detections, its start record says inferred: false"
    )
    func trackerAdvances() async throws {
        let pattern = [false] + Array(repeating: true, count: 9)
        let (records, inferred, _) = try await Self.run(gated: pattern)
        #expect(inferred == [0])
        let starts = records.filter { $0["kind"] as? String == "track" && $0["event"] as? String == "start" }
        #expect(starts.count == 1)
        #expect(starts.first?["firstFrame"] as? Int == 0 && starts.first?["lastFrame"] as? Int == 2)
        #expect(starts.first?["inferred"] as? Bool == false)
        let ends = records.filter { $0["kind"] as? String == "track" && $0["event"] as? String == "end" }
        // Matched on every frame (max_age 2 would have ended it otherwise); ended by the end of the stream.
        #expect(ends.count == 1 && ends.first?["lastFrame"] as? Int == 9 && ends.first?["frames"] as? Int == 10)
        #expect(ends.first?["inferred"] == nil)
        #expect(Self.frames(records).dropFirst(2).allSatisfy { (($0["detections"] as? [[String: Any]])?.first?["track"] as? Int) == 1 })
    }

    @Test("without gating the records carry no inferred key (streams without motion write the same bytes as before)")
    func ungatedUnchanged() async throws {
        let (records, inferred, metrics) = try await Self.run(gated: Array(repeating: false, count: 5))
        #expect(inferred == [0, 1, 2, 3, 4])
        #expect(records.allSatisfy { $0["inferred"] == nil })
        #expect(metrics.activity(stream: 0)?.gated == 0)
    }

    @Test("a gated frame waits behind the frames accepted before it, and holds a queue place until it is written")
    func orderAndCapacity() {
        let collected = FrameSchedulerTests.Collected()
        let metrics = PipelineMetrics(streamNames: ["s0"])
        let scheduler = FrameScheduler(liveStreams: [false], capacity: 3, metrics: metrics, deliver: { collected.append($0) })
        #expect(scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0) == .accepted)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(1), frameIndex: 1, gated: true) == .accepted)
        #expect(collected.items.withLock { $0.isEmpty }, "frame 1 waits behind frame 0")
        #expect(scheduler.pendingCounts() == [2] && scheduler.waitingCounts() == [1])
        let taken = scheduler.take()
        #expect(taken?.frameIndex == 0 && taken?.sequence == 0)
        let delivered = collected.items.withLock { $0 }
        #expect(delivered.count == 1)
        if case .frame(let frame, let detections) = delivered.first {
            #expect(frame.frameIndex == 1 && frame.sequence == 1 && frame.gated && detections.isEmpty && frame.pixels == nil)
        } else {
            Issue.record("expected the gated frame, got \(delivered)")
        }
        // A gated frame with nothing before it is delivered at once.
        #expect(scheduler.accept(stream: 0, frame: Self.frame(2), frameIndex: 2, gated: true) == .accepted)
        #expect(collected.items.withLock { $0.map(\.sequence) } == [1, 2])
        #expect(scheduler.pendingCounts() == [3] && scheduler.waitingCounts() == [0])
    }

    @Test("a full live stream drops a new gated frame rather than a frame waiting for inference; only the latter resets the gate")
    func liveDrops() {
        let metrics = PipelineMetrics(streamNames: ["s0", "s1"])
        let scheduler = FrameScheduler(liveStreams: [true, true], capacity: 1, metrics: metrics, deliver: { _ in })
        #expect(scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0) == .accepted)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(1), frameIndex: 1, gated: true) == .dropped)
        #expect(scheduler.drops(stream: 0) == 0 && metrics.droppedCounts == [1, 0])
        #expect(scheduler.waitingCounts() == [1, 0], "frame 0 still waits")
        #expect(scheduler.accept(stream: 0, frame: Self.frame(2), frameIndex: 2) == .accepted)
        #expect(scheduler.drops(stream: 0) == 1 && scheduler.drops(stream: 1) == 0 && metrics.droppedCounts == [2, 0])
        #expect(scheduler.take()?.frameIndex == 2)
    }
}
