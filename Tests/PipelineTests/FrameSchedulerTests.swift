import Foundation
import Imaging
import MediaIO
import Synchronization
import Testing

@testable import Pipeline

@Suite("Frame scheduler: back-pressure for files, drop-oldest for live sources, fair and ordered")
struct FrameSchedulerTests {
    final class Collected: Sendable {
        let items = Mutex<[DeliveryItem]>([])
        func append(_ item: DeliveryItem) { items.withLock { $0.append(item) } }
    }

    static func frame(_ i: Int) -> VideoFrame {
        VideoFrame(
            index: i, presentationTime: Double(i) / 25, sourceWidth: 4, sourceHeight: 4,
            image: RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: UInt8(i), count: 48)))
    }

    func make(live: [Bool], capacity: Int) -> (FrameScheduler, Collected, PipelineMetrics) {
        let collected = Collected()
        let metrics = PipelineMetrics(streamNames: live.indices.map { "s\($0)" })
        return (FrameScheduler(liveStreams: live, capacity: capacity, metrics: metrics, deliver: { collected.append($0) }), collected, metrics)
    }

    @Test("a live stream that is full drops its oldest waiting frame, counted; dropped frames never get a delivery number")
    func liveDropsOldest() {
        let (scheduler, collected, metrics) = make(live: [true], capacity: 2)
        for i in 0..<5 { #expect(scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i) == .accepted) }
        #expect(collected.items.withLock { $0.isEmpty }, "nothing reaches delivery for dropped frames")
        #expect(metrics.droppedCounts == [3])
        #expect(scheduler.take().map { [$0.frameIndex, $0.sequence] } == [3, 0])
        #expect(scheduler.take().map { [$0.frameIndex, $0.sequence] } == [4, 1])
        // Both are now in inference: nothing waits, so a new frame is the one dropped.
        #expect(scheduler.accept(stream: 0, frame: Self.frame(5), frameIndex: 5) == .dropped)
        #expect(metrics.droppedCounts == [4])
        scheduler.release(stream: 0)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(6), frameIndex: 6) == .accepted)
    }

    @Test("a state change posted behind waiting frames is numbered after them, even when they are dropped")
    func stateAfterDroppedFrames() {
        let (scheduler, collected, _) = make(live: [true], capacity: 2)
        _ = scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0)
        scheduler.post(stream: 0, state: StreamStateChange(state: .lost, message: "x"))
        _ = scheduler.accept(stream: 0, frame: Self.frame(1), frameIndex: 1)
        #expect(collected.items.withLock { $0.isEmpty }, "the state waits behind frame 0")
        // Full: frame 0 is dropped, which lets the state through with the first number.
        _ = scheduler.accept(stream: 0, frame: Self.frame(2), frameIndex: 2)
        #expect(collected.items.withLock { $0.map(\.sequence) } == [0])
        #expect(scheduler.take().map { [$0.frameIndex, $0.sequence] } == [1, 1])
        #expect(scheduler.take().map { [$0.frameIndex, $0.sequence] } == [2, 2])
    }

    @Test("each stream has its own capacity: a live stream with 1 drops at its second frame while one with 3 holds 3")
    func perStreamCapacity() {
        let collected = Collected()
        let metrics = PipelineMetrics(streamNames: ["cam", "lobby"])
        let scheduler = FrameScheduler(
            liveStreams: [true, true], capacities: [1, 3], metrics: metrics,
            deliver: { collected.append($0) })
        for i in 0..<3 {
            #expect(scheduler.accept(stream: 0, frame: Self.frame(i), frameIndex: i) == .accepted)
            #expect(scheduler.accept(stream: 1, frame: Self.frame(i), frameIndex: i) == .accepted)
        }
        #expect(metrics.droppedCounts == [2, 0])
        #expect(scheduler.pendingCounts() == [1, 3])
    }

    @Test("a file stream that is full blocks its source until delivery releases a frame; nothing is dropped")
    func fileBlocks() async {
        let (scheduler, _, metrics) = make(live: [false], capacity: 2)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0) == .accepted)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(1), frameIndex: 1) == .accepted)
        let accepted = DispatchSemaphore(value: 0)
        Thread {
            _ = scheduler.accept(stream: 0, frame: Self.frame(2), frameIndex: 2)
            accepted.signal()
        }.start()
        #expect(accepted.wait(timeout: .now() + 0.3) == .timedOut, "the source must wait while the stream is full")
        #expect(scheduler.take()?.frameIndex == 0)
        scheduler.release(stream: 0)
        #expect(accepted.wait(timeout: .now() + 10) == .success)
        #expect(metrics.droppedCounts == [0])
        #expect(scheduler.pendingCounts() == [2])
    }

    @Test("stopping releases a blocked source without accepting its frame")
    func stopReleasesBlockedSource() {
        let (scheduler, _, _) = make(live: [false], capacity: 1)
        #expect(scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0) == .accepted)
        let result = Mutex<FrameScheduler.Acceptance?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let r = scheduler.accept(stream: 0, frame: Self.frame(1), frameIndex: 1)
            result.withLock { $0 = r }
            done.signal()
        }.start()
        scheduler.stopSources()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(result.withLock { $0 } == .stopped)
        #expect(scheduler.take()?.frameIndex == 0, "the accepted frame still goes to inference")
    }

    @Test("workers take the oldest waiting frame across streams; take returns nil once every stream finished")
    func fairAndFinite() {
        let (scheduler, collected, _) = make(live: [false, false], capacity: 8)
        _ = scheduler.accept(stream: 1, frame: Self.frame(0), frameIndex: 0)
        _ = scheduler.accept(stream: 0, frame: Self.frame(0), frameIndex: 0)
        _ = scheduler.accept(stream: 1, frame: Self.frame(1), frameIndex: 1)
        #expect(scheduler.take().map { [$0.stream, $0.sequence] } == [1, 0])
        #expect(scheduler.take().map { [$0.stream, $0.sequence] } == [0, 0])
        scheduler.post(stream: 1, state: StreamStateChange(state: .ended, message: nil))
        scheduler.finish(stream: 1)
        scheduler.finish(stream: 0)
        #expect(scheduler.take().map { [$0.stream, $0.sequence] } == [1, 1])
        #expect(scheduler.take() == nil)
        let sequences = collected.items.withLock { $0.filter { $0.stream == 1 }.map(\.sequence) }
        #expect(sequences == [2, 3], "state and finish items are numbered after the frames accepted before them")
    }
}
