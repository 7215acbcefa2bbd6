import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Sinks
import Testing
import Tracking

@testable import Pipeline

@Suite("Pipeline services: one ServiceGroup that drains in order (fake source, detector and sink)")
struct PipelineServicesTests {
    /// The daemon's stages and services for one stream, with fakes at the edges.
    struct Rig {
        let log = EventLog()
        let sink: FakeSink
        let source: FakeSource
        let detector: FakeDetector
        let services: PipelineServices

        init(limit: Int = .max, listener: (any Service)? = nil) {
            let log = log
            let metrics = PipelineMetrics(streamNames: ["s0"])
            let (items, continuation) = AsyncStream<DeliveryItem>.makeStream()
            let scheduler = FrameScheduler(liveStreams: [false], capacity: 4, metrics: metrics, deliver: { continuation.yield($0) })
            detector = FakeDetector()
            let worker = InferenceWorker(
                detectors: [detector], streamModel: [0], streams: [Fakes.stream()], scheduler: scheduler, metrics: metrics,
                logger: Fakes.logger, deliver: { continuation.yield($0) })
            sink = FakeSink(log: log)
            let queue = OutputQueue(name: "fake", sink: sink, logger: Fakes.logger)
            let outputs = Outputs(files: [], publisher: nil, brokers: [], queues: [queue], fileQueues: [], perStream: [[queue]], sinks: [sink])
            let delivery = DeliveryStage(
                streams: [Fakes.stream()], trackerConfiguration: TrackerConfiguration(), emptyFrames: true, scheduler: scheduler,
                metrics: metrics, logger: Fakes.logger, outputs: outputs.perStream)
            source = FakeSource(stream: 0, scheduler: scheduler, log: log, limit: limit)
            services = PipelineServices(
                heartbeat: nil, listeners: [listener ?? FakeListener(log: log)],
                outputs: OutputsService(outputs: outputs, checkpointer: nil, logger: Fakes.logger),
                delivery: DeliveryService(stage: delivery, items: items),
                inference: InferenceService(
                    workers: [worker],
                    onDrained: {
                        log.append("inference joined")
                        continuation.finish()
                    }),
                sources: SourcesService(sources: [source], scheduler: scheduler))
        }

        var group: ServiceGroup {
            ServiceGroup(configuration: ServiceGroupConfiguration(services: services.configurations, logger: Fakes.logger))
        }

        /// `frame` indices of the frame records, and the kinds of every record, in output order.
        var frameIndices: [Int] { sink.objects.filter { $0["kind"] as? String == "frame" }.compactMap { $0["frame"] as? Int } }
        var kinds: [String] { sink.objects.compactMap { $0["kind"] as? String } }
    }

    @Test("graceful shutdown reaches the sources first, then inference, delivery, outputs and the listener; nothing accepted is lost")
    func shutdownOrder() async throws {
        let rig = Rig()
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await rig.group.run() }
                await rig.sink.waitForLines(6)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(rig.log.events == ["source stopped", "inference joined", "sink closed", "listener stopped"])
        // Every frame the scheduler accepted went through inference and delivery before the sink closed.
        #expect(rig.frameIndices == Array(0..<rig.source.accepted))
        #expect(rig.sink.linesAtClose == rig.sink.lines.count)
        // Delivery finished the stream (its tracker ended the track) before the outputs closed.
        #expect(rig.kinds.last == "track")
        #expect(rig.detector.calls == rig.source.accepted)
    }

    @Test("with only file streams the group ends by itself once every file is read, drained in the same order")
    func endsWhenFilesAreDone() async throws {
        let rig = Rig(limit: 20)
        try await rig.group.run()
        #expect(rig.log.events == ["source stopped", "inference joined", "sink closed", "listener stopped"])
        #expect(rig.frameIndices == Array(0..<20))
        #expect(rig.kinds == ["frame", "frame", "track"] + Array(repeating: "frame", count: 18) + ["track"])
    }

    @Test("a failing listener shuts the group down gracefully: the outputs are still drained and closed")
    func failingListener() async throws {
        let rig = Rig(listener: FailingListener())
        await #expect(throws: FailingListener.Failure()) { try await rig.group.run() }
        #expect(rig.log.events == ["source stopped", "inference joined", "sink closed"])
        #expect(rig.sink.isClosed)
        #expect(rig.frameIndices == Array(0..<rig.source.accepted))
    }

    @Test("graceful shutdown drains a non-empty queue into its output before closing it")
    func drainsQueue() async throws {
        let gate = Signal()
        let sink = FakeSink(gate: gate)
        let queue = OutputQueue(name: "fake", sink: sink, logger: Fakes.logger)
        let outputs = Outputs(files: [], publisher: nil, brokers: [], queues: [queue], fileQueues: [], perStream: [[queue]], sinks: [sink])
        let encoder = JSONLineEncoder()
        for i in 0..<50 { queue.offer(try encoder.encode(.notice(NoticeRecord(reason: "line \(i)")))) }
        await testGracefulShutdown { trigger in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await OutputsService(outputs: outputs, checkpointer: nil, logger: Fakes.logger).run() }
                trigger.triggerGracefulShutdown()
                // The sink was blocked when shutdown began; the queue still holds lines.
                #expect(queue.statistics.queued == 50)
                gate.fire()
                await group.waitForAll()
            }
        }
        #expect(sink.linesAtClose == 50)
        #expect(sink.objects.compactMap { $0["reason"] as? String } == (0..<50).map { "line \($0)" })
        #expect(queue.statistics.dropped == 0)
    }

    @Test("inference returns only after its worker threads ran the scheduler dry; then delivery's stream is finished")
    func joinsWorkers() async throws {
        let release = Signal()
        let detector = FakeDetector(release: release)
        let metrics = PipelineMetrics(streamNames: ["s0"])
        let delivered = EventLog()
        let scheduler = FrameScheduler(liveStreams: [false], capacity: 4, metrics: metrics, deliver: { _ in delivered.append("item") })
        let worker = InferenceWorker(
            detectors: [detector], streamModel: [0], streams: [Fakes.stream()], scheduler: scheduler, metrics: metrics,
            logger: Fakes.logger,
            deliver: { item in
                if case .frame(let frame, _) = item { delivered.append("frame \(frame.frameIndex)") }
            })
        for i in 0..<3 { #expect(scheduler.accept(stream: 0, frame: FakeSource.frame(i), frameIndex: i) == .accepted) }
        scheduler.finish(stream: 0, complete: true)
        let log = EventLog()
        await testGracefulShutdown { trigger in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await InferenceService(workers: [worker], onDrained: { log.append("drained after \(delivered.events.count) items") }).run()
                }
                await detector.started.wait()
                trigger.triggerGracefulShutdown()
                // The worker is still inside the first frame: the service has not returned.
                #expect(log.events.isEmpty)
                release.fire()
                await group.waitForAll()
            }
        }
        // The stream's end mark is delivered when the worker takes the last frame, before that frame is inferred.
        #expect(delivered.events == ["frame 0", "frame 1", "item", "frame 2"])
        #expect(log.events == ["drained after 4 items"])
        #expect(detector.calls == 3)
    }
}
