import Foundation
import Sinks
import Synchronization
import Testing
import Tracking

@testable import Pipeline

@Suite("Reload: stream slots added and stopped at run time in the scheduler, the metrics and delivery")
struct ReloadSlotTests {
    typealias Collected = FrameSchedulerTests.Collected

    @Test("an added slot gets the next index, announced under the lock; its frames are numbered from 0")
    func addedSlot() {
        let collected = Collected()
        let metrics = PipelineMetrics(streamNames: ["a"])
        let scheduler = FrameScheduler(liveStreams: [true], capacity: 2, metrics: metrics, deliver: { collected.append($0) })
        var announced: [Int] = []
        let slot = scheduler.addStream(live: false, capacity: 3) { announced.append($0) }
        #expect(slot == 1)
        #expect(announced == [1])
        #expect(metrics.addSlot(name: "b") == 1)
        #expect(scheduler.accept(stream: 1, frame: FrameSchedulerTests.frame(0), frameIndex: 7) == .accepted)
        #expect(scheduler.take().map { [$0.stream, $0.frameIndex, $0.sequence] } == [1, 7, 0])
        #expect(scheduler.waitingCounts() == [0, 0])
        #expect(scheduler.pendingCounts() == [0, 1])
    }

    @Test("stopping one slot stops its source only, with an ended change of reason reload; the others run on")
    func stopOneSlot() {
        let collected = Collected()
        let metrics = PipelineMetrics(streamNames: ["a", "b"])
        let scheduler = FrameScheduler(liveStreams: [false, false], capacity: 1, metrics: metrics, deliver: { collected.append($0) })
        #expect(scheduler.accept(stream: 0, frame: FrameSchedulerTests.frame(0), frameIndex: 0) == .accepted)
        scheduler.stopStream(0)
        #expect(scheduler.isStopping(stream: 0))
        #expect(!scheduler.isStopping(stream: 1))
        #expect(!scheduler.isStopping)
        #expect(scheduler.waitForStop(stream: 0, seconds: 0))
        #expect(scheduler.accept(stream: 0, frame: FrameSchedulerTests.frame(1), frameIndex: 1) == .stopped)
        #expect(scheduler.accept(stream: 1, frame: FrameSchedulerTests.frame(0), frameIndex: 0) == .accepted)
        #expect(scheduler.endingChange(stream: 0).reason == .reload)
        #expect(scheduler.endingChange(stream: 1).reason == nil)
        scheduler.stopSources()
        #expect(scheduler.endingChange(stream: 0).reason == nil, "at shutdown a stream ends because the daemon stops")
    }

    @Test("once every slot finished no slot can be added, and onAllFinished fires once")
    func closedAfterAllFinished() {
        let metrics = PipelineMetrics(streamNames: ["a"])
        let scheduler = FrameScheduler(liveStreams: [false], capacity: 1, metrics: metrics, deliver: { _ in })
        let fired = Mutex(0)
        scheduler.onAllFinished = { fired.withLock { $0 += 1 } }
        let added = scheduler.addStream(live: true, capacity: 1) { _ in }
        #expect(added == 1)
        scheduler.finish(stream: 0)
        #expect(fired.withLock { $0 } == 0, "slot 1 still runs")
        scheduler.finish(stream: 1)
        #expect(fired.withLock { $0 } == 1)
        #expect(scheduler.addStream(live: true, capacity: 1) { _ in } == nil)
        #expect(scheduler.take() == nil)
        let late = Mutex(0)
        scheduler.onAllFinished = { late.withLock { $0 += 1 } }
        #expect(late.withLock { $0 } == 1, "set after the end, it fires at once")
    }

    @Test("a slot of a name seen before keeps its series; a new name gets its own")
    func metricsByName() {
        let metrics = PipelineMetrics(streamNames: ["a"])
        metrics.decoded(stream: 0)
        #expect(metrics.addSlot(name: "a") == 1)
        metrics.decoded(stream: 1)
        #expect(metrics.addSlot(name: "b") == 2)
        metrics.decoded(stream: 2)
        let text = metrics.render()
        #expect(text.contains("ssdd_frames_decoded_total{stream=\"a\"} 2\n"))
        #expect(text.contains("ssdd_frames_decoded_total{stream=\"b\"} 1\n"))
        #expect(metrics.streamNames == ["a", "b"])
        #expect(metrics.writtenCounts == [0, 0, 0])
    }

    @Test("a per-stream gauge follows each name's newest slot, and names added later appear")
    func sampledGaugeBySlot() {
        let metrics = PipelineMetrics(streamNames: ["a"])
        let values = Mutex([5])
        metrics.sample(.queueWaitingFrames, perStream: { values.withLock { $0 } })
        #expect(metrics.render().contains("ssdd_queue_waiting_frames{stream=\"a\"} 5"))
        metrics.addSlot(name: "a")
        metrics.addSlot(name: "b")
        values.withLock { $0 = [5, 2, 9] }
        let text = metrics.render()
        #expect(text.contains("ssdd_queue_waiting_frames{stream=\"a\"} 2"))
        #expect(text.contains("ssdd_queue_waiting_frames{stream=\"b\"} 9"))
    }

    @Test("delivery hears of an added slot before its items, names its records, and ends only when it finished too")
    func deliveryAddsSlots() async throws {
        let metrics = PipelineMetrics(streamNames: ["s0"])
        let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
        let scheduler = FrameScheduler(liveStreams: [false], capacity: 8, metrics: metrics, deliver: { continuation.yield($0) })
        let sink = FakeSink()
        let queue = OutputQueue(name: "fake", sink: sink, logger: Fakes.logger)
        var delivery = DeliveryStage(
            streams: [Fakes.stream()], trackerConfiguration: TrackerConfiguration(), emptyFrames: true, scheduler: scheduler,
            metrics: metrics, logger: Fakes.logger, outputs: [[queue]])
        let finished = Mutex<[Int]>([])
        delivery.onSlotFinished = { slot in finished.withLock { $0.append(slot) } }
        let added = StreamConfiguration(name: "late", url: "fake://late", live: false)
        let slot = scheduler.addStream(live: false, capacity: 8) { slot in
            _ = metrics.addSlot(name: "late")
            continuation.yield(.added(DeliverySlot(index: slot, configuration: added, firstTrackID: 1)))
        }
        #expect(slot == 1)
        delivery.routing.set(slot: 1, [queue])
        let worker = InferenceWorker(
            detectors: [FakeDetector()], streamModel: [0], streams: [Fakes.stream()], scheduler: scheduler, metrics: metrics,
            logger: Fakes.logger, deliver: { continuation.yield($0) })
        worker.addSlot(1, configuration: added, detector: FakeDetector())
        #expect(scheduler.accept(stream: 0, frame: FakeSource.frame(0), frameIndex: 0) == .accepted)
        scheduler.finish(stream: 0, complete: true)
        #expect(scheduler.accept(stream: 1, frame: FakeSource.frame(0), frameIndex: 0) == .accepted)
        scheduler.stopStream(1)
        scheduler.post(stream: 1, state: scheduler.endingChange(stream: 1))
        scheduler.finish(stream: 1)
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
        let records = sink.objects
        let late = records.filter { $0["stream"] as? String == "late" }
        #expect(late.contains { $0["kind"] as? String == "frame" })
        let ended = late.first { $0["kind"] as? String == "stream" }
        #expect(ended?["state"] as? String == "ended")
        #expect(ended?["reason"] as? String == "reload")
        #expect(records.filter { $0["kind"] as? String == "stream" && $0["stream"] as? String == "s0" }.isEmpty)
        #expect(Set(finished.withLock { $0 }) == [0, 1])
    }
}
