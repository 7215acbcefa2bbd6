import Detection
import Foundation
import Logging
import MediaIO
import Sinks
import Tracking

/// The last stage: puts each stream's results back in frame order, runs the stream's tracker, turns results into
/// records (`frame`, `track` start/end, `stream`) and hands each encoded line to the outputs.
///
/// Runs as one async loop; it never blocks (sinks do their I/O on their own threads). A frame's place in its
/// stream's queue is released only after its line was handed to every output, which is what bounds memory and
/// gives files their back-pressure.
struct DeliveryStage {
    let streams: [StreamConfiguration]
    let trackerConfiguration: TrackerConfiguration
    let emptyFrames: Bool
    let scheduler: FrameScheduler
    let metrics: PipelineMetrics
    let logger: Logger
    /// Outputs for each stream (shared sinks appear in several lists).
    let outputs: [[any Sink]]
    private let encoder = JSONLineEncoder()

    init(
        streams: [StreamConfiguration], trackerConfiguration: TrackerConfiguration, emptyFrames: Bool,
        scheduler: FrameScheduler, metrics: PipelineMetrics, logger: Logger, outputs: [[any Sink]]
    ) {
        self.streams = streams
        self.trackerConfiguration = trackerConfiguration
        self.emptyFrames = emptyFrames
        self.scheduler = scheduler
        self.metrics = metrics
        self.logger = logger
        self.outputs = outputs
    }

    /// Consumes `items` until every stream has finished.
    func run(_ items: AsyncStream<DeliveryItem>) async throws {
        var trackers = try streams.map { _ in try Tracker(configuration: trackerConfiguration) }
        var next = [Int](repeating: 0, count: streams.count)
        var held = [[Int: DeliveryItem]](repeating: [:], count: streams.count)
        var finished = 0
        for await item in items {
            let s = item.stream
            held[s][item.sequence] = item
            while let ready = held[s].removeValue(forKey: next[s]) {
                next[s] += 1
                if await handle(ready, tracker: &trackers[s]) { finished += 1 }
            }
            if finished == streams.count { return }
        }
    }

    /// Writes the records for one in-order item; returns true when the stream finished.
    private func handle(_ item: DeliveryItem, tracker: inout Tracker) async -> Bool {
        let now = Date().timeIntervalSince1970
        switch item {
        case .frame(let work, let detections):
            let name = streams[work.stream].name
            let time = work.frame.presentationTime ?? Double(work.frameIndex)
            let update = tracker.update(
                frameIndex: work.frameIndex, time: time,
                detections: detections.map { d in
                    TrackDetection(label: d.label, classIndex: d.classIndex, score: Double(d.score), box: BoundingBox(x1: Double(d.x1), y1: Double(d.y1), x2: Double(d.x2), y2: Double(d.y2)))
                })
            for started in update.started { await write(.track(trackRecord(started, stream: name, event: .start, time: now)), stream: work.stream) }
            if emptyFrames || !detections.isEmpty {
                let records = update.detections.map { t in
                    DetectionRecord(
                        trackID: t.trackID, label: t.detection.label, classIndex: t.detection.classIndex,
                        score: t.detection.score, x1: round2(t.detection.box.x1), y1: round2(t.detection.box.y1),
                        x2: round2(t.detection.box.x2), y2: round2(t.detection.box.y2))
                }
                let frame = FrameRecord(
                    stream: name, frameIndex: work.frameIndex, pts: work.frame.presentationTime, time: work.decodedAt,
                    width: work.frame.sourceWidth, height: work.frame.sourceHeight, detections: records)
                await write(.frame(frame), stream: work.stream)
            }
            for ended in update.ended { await write(.track(trackRecord(ended, stream: name, event: .end, time: now)), stream: work.stream) }
            metrics.written(stream: work.stream, endToEndSeconds: Double(DispatchTime.now().uptimeNanoseconds - work.decodedNanoseconds) / 1e9)
            scheduler.release(stream: work.stream)
            return false
        case .skipped:
            return false
        case .state(let stream, _, let state, let message, let time):
            await write(.stream(StreamRecord(stream: streams[stream].name, state: state, time: time, message: message)), stream: stream)
            return false
        case .finished(let stream, _):
            for ended in tracker.finish() {
                await write(.track(trackRecord(ended, stream: streams[stream].name, event: .end, time: now)), stream: stream)
            }
            return true
        }
    }

    private func write(_ record: Record, stream: Int) async {
        do {
            let line = try encoder.encode(record)
            for sink in outputs[stream] { await sink.write(line) }
        } catch {
            logger.error("cannot encode a record: \(error)", metadata: ["stream": "\(streams[stream].name)"])
        }
    }

    private func trackRecord(_ t: TrackSummary, stream: String, event: TrackRecord.Event, time: Double) -> TrackRecord {
        TrackRecord(
            stream: stream, event: event, trackID: t.id, label: t.label, classIndex: t.classIndex, firstPts: t.firstTime,
            lastPts: t.lastTime, firstFrameIndex: t.firstFrameIndex, lastFrameIndex: t.lastFrameIndex,
            frameCount: t.frameCount, bestScore: t.bestScore, time: time)
    }

    private func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}
