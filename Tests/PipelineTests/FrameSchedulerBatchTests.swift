import Detection
import Foundation
import Geometry
import Imaging
import MediaIO
import Sinks
import Synchronization
import Testing

@testable import Pipeline

/// Batching in the scheduler and the worker (`[workers] max_batch`), and the live backlog bound
/// (`[workers] live_backlog`).
@Suite("Frame scheduler: batches across streams, the live backlog bound")
struct FrameSchedulerBatchTests {
    typealias Collected = FrameSchedulerTests.Collected

    func make(live: [Bool], capacity: Int) -> (FrameScheduler, Collected, PipelineMetrics) {
        FrameSchedulerTests().make(live: live, capacity: capacity)
    }

    static func frame(_ i: Int) -> VideoFrame { FrameSchedulerTests.frame(i) }

    @Test("a batch takes the oldest waiting frames of batchable streams, each stream's in order with increasing numbers")
    func batchOrderAcrossStreams() {
        let (scheduler, _, _) = make(live: [false, false, false], capacity: 8)
        // Arrival order: s0 f0, s1 f0, s2 f0, s0 f1, s1 f1, s0 f2.
        for (stream, index) in [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (0, 2)] {
            #expect(scheduler.accept(stream: stream, frame: Self.frame(index), frameIndex: index) == .accepted)
        }
        // Stream 2 uses another model: it never joins a batch of streams 0 and 1.
        let batchable: (Int, Int) -> Bool = { a, b in (a == 2) == (b == 2) }
        let first = scheduler.take(upTo: 4, batchable: batchable)
        #expect(first.map { [$0.stream, $0.frameIndex, $0.sequence] } == [[0, 0, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1]])
        // The oldest waiting frame is now stream 2's: it starts the next batch, alone.
        let second = scheduler.take(upTo: 4, batchable: batchable)
        #expect(second.map { [$0.stream, $0.frameIndex, $0.sequence] } == [[2, 0, 0]])
        let third = scheduler.take(upTo: 4, batchable: batchable)
        #expect(third.map { [$0.stream, $0.frameIndex, $0.sequence] } == [[0, 2, 2]])
        #expect(scheduler.waitingCounts() == [0, 0, 0])
    }

    @Test("a batch is capped at max_batch and never waits to fill: one waiting frame is a batch of one")
    func batchCapAndNoWaiting() {
        let (scheduler, _, _) = make(live: [false, false], capacity: 8)
        for i in 0..<3 {
            _ = scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i)
            _ = scheduler.accept(stream: 1, frame: Self.frame(i), frameIndex: i)
        }
        #expect(scheduler.take(upTo: 4) { _, _ in true }.count == 4)
        #expect(scheduler.take(upTo: 4) { _, _ in true }.count == 2)
        _ = scheduler.accept(stream: 1, frame: Self.frame(3), frameIndex: 3)
        #expect(scheduler.take(upTo: 4) { _, _ in true }.map(\.frameIndex) == [3])
    }

    @Test("fairness: a stream with a long backlog does not crowd out another stream's older frame")
    func batchFairness() {
        let (scheduler, _, _) = make(live: [false, false], capacity: 16)
        for i in 0..<6 { _ = scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i) }
        _ = scheduler.accept(stream: 1, frame: Self.frame(0), frameIndex: 0)
        for i in 6..<10 { _ = scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i) }
        // Batches of 4 in arrival order: stream 1's frame (7th to arrive) is in the second batch, not the last.
        let first = scheduler.take(upTo: 4) { _, _ in true }
        let second = scheduler.take(upTo: 4) { _, _ in true }
        #expect(first.map(\.stream) == [0, 0, 0, 0])
        #expect(second.map { [$0.stream, $0.frameIndex] } == [[0, 4], [0, 5], [1, 0], [0, 6]])
    }

    @Test("the end of every stream gives an empty batch")
    func emptyBatchAtEnd() {
        let (scheduler, collected, _) = make(live: [false], capacity: 4)
        _ = scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0)
        scheduler.finish(stream: 0, complete: true)
        #expect(scheduler.take(upTo: 3) { _, _ in true }.map(\.sequence) == [0])
        #expect(scheduler.take(upTo: 3) { _, _ in true }.isEmpty)
        #expect(collected.items.withLock { $0.map(\.sequence) } == [1], "the finish mark follows the frame")
    }

    @Test("live backlog: waiting frames older than the bound are dropped (counted) when a newer frame arrives")
    func liveBacklogDropsStaleFrames() {
        let (scheduler, _, metrics) = make(live: [true, false], capacity: 8)
        // Bound 0: any frame already waiting is stale when the next one arrives, so only the newest waits.
        scheduler.liveBacklogNanoseconds = 0
        for i in 0..<4 {
            #expect(scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i) == .accepted)
            #expect(scheduler.accept(stream: 1, frame: Self.frame(i), frameIndex: i) == .accepted)
        }
        #expect(metrics.droppedCounts == [3, 0], "a file stream never drops")
        #expect(scheduler.waitingCounts() == [1, 4])
        #expect(scheduler.pendingCounts() == [1, 4])
        #expect(scheduler.take().map { [$0.stream, $0.frameIndex, $0.sequence] } == [1, 0, 0])
        #expect(scheduler.take(upTo: 8) { a, b in a == b }.map { [$0.stream, $0.frameIndex] } == [[1, 1], [1, 2], [1, 3]])
        #expect(scheduler.take().map { [$0.stream, $0.frameIndex, $0.sequence] } == [0, 3, 0], "no gap in numbers")
    }

    @Test("live backlog: with a bound of an hour only the capacity rule drops")
    func liveBacklogLongBound() {
        let (scheduler, _, metrics) = make(live: [true], capacity: 3)
        scheduler.liveBacklogNanoseconds = 3_600_000_000_000
        for i in 0..<3 { #expect(scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i) == .accepted) }
        #expect(metrics.droppedCounts == [0])
        #expect(scheduler.waitingCounts() == [3])
    }

    @Test("a worker with max_batch 3 delivers every frame once, each stream in order, batching only streams of one detector")
    func workerBatches() async {
        let collected = Collected()
        let metrics = PipelineMetrics(streamNames: ["a", "b", "c"])
        let scheduler = FrameScheduler(liveStreams: [false, false, false], capacity: 16, metrics: metrics) { collected.append($0) }
        let shared = BatchRecordingDetector(), other = BatchRecordingDetector()
        let worker = InferenceWorker(
            detectors: [shared, other], streamModel: [0, 0, 1], streams: (0..<3).map { Fakes.stream($0) }, scheduler: scheduler,
            metrics: metrics, logger: Fakes.logger, maxBatch: 3, deliver: { collected.append($0) })
        for i in 0..<10 {
            for stream in 0..<3 { _ = scheduler.accept(stream: stream, frame: Self.frame(i), frameIndex: i) }
        }
        for stream in 0..<3 { scheduler.finish(stream: stream) }
        await runOnThread("test-infer") { worker.run() }
        let frames = collected.items.withLock { items in
            items.compactMap { item -> InferredFrame? in if case .frame(let f, _) = item { f } else { nil } }
        }
        for stream in 0..<3 {
            let mine = frames.filter { $0.stream == stream }
            #expect(mine.map(\.frameIndex) == Array(0..<10), "stream \(stream) in order")
            #expect(mine.map(\.sequence) == Array(0..<10))
        }
        #expect(shared.batchSizes.allSatisfy { $0 <= 3 } && shared.batchSizes.reduce(0, +) == 20)
        #expect(shared.batchSizes.contains(3), "frames were waiting: some batches are full")
        #expect(other.batchSizes.reduce(0, +) == 10)
        // Every detection reaches delivery with its frame (the fake finds one person per frame).
        let detections = collected.items.withLock { $0.compactMap { if case .frame(_, let d) = $0 { d.count } else { nil } } }
        #expect(detections.count == 30 && detections.allSatisfy { $0 == 1 })
    }
}

/// A detector that records the size of every batch it is given and finds one person per image.
final class BatchRecordingDetector: FrameDetector, @unchecked Sendable {
    // Unchecked: `sizes` is behind its mutex.
    private let sizes = Mutex<[Int]>([])

    var batchSizes: [Int] { sizes.withLock { $0 } }

    func detect(_ image: RGBImage) throws -> [Detection] { try detect(batch: [image])[0] }

    func detect(batch images: [RGBImage]) throws -> [[Detection]] {
        sizes.withLock { $0.append(images.count) }
        return images.map { _ in [Detection(classIndex: 1, label: "person", score: 0.9, box: Box(x1: 1, y1: 1, x2: 3, y2: 3))] }
    }
}
