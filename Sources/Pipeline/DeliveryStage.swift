import Detection
import Foundation
import Geometry
import Logging
import MediaIO
import Sinks
import Tracking

/// The last stage: puts each stream's results back in frame order, runs the stream's tracker, turns results into
/// records (`frame`, `track` start/end, `stream`) and hands each encoded line to the outputs.
///
/// Runs as one async loop that never waits for an output: each line is encoded once and offered to every output's
/// bounded ``OutputQueue`` (a full queue drops the line and counts it; a slow output never delays the others). A
/// frame's place in its stream's queue is released once every output has accepted (queued) its line.
struct DeliveryStage {
    let streams: [StreamConfiguration]
    let trackerConfiguration: TrackerConfiguration
    let emptyFrames: Bool
    let scheduler: FrameScheduler
    let metrics: PipelineMetrics
    let logger: Logger
    /// Output queues for each stream (shared outputs appear in several lists).
    let outputs: [[OutputQueue]]
    /// Where resume points learn what was delivered; nil without a state directory.
    let progress: ResumeCheckpointer?
    private let encoder = JSONLineEncoder()

    init(
        streams: [StreamConfiguration], trackerConfiguration: TrackerConfiguration, emptyFrames: Bool,
        scheduler: FrameScheduler, metrics: PipelineMetrics, logger: Logger, outputs: [[OutputQueue]],
        progress: ResumeCheckpointer? = nil
    ) {
        self.progress = progress
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
        let firstIDs = progress?.starts.map(\.nextTrackID) ?? streams.map { _ in 1 }
        var trackers = try streams.indices.map { try Tracker(configuration: trackerConfiguration, firstTrackID: firstIDs[$0]) }
        var next = [Int](repeating: 0, count: streams.count)
        var held = [[Int: DeliveryItem]](repeating: [:], count: streams.count)
        var finished = 0
        for await item in items {
            let s = item.stream
            held[s][item.sequence] = item
            while let ready = held[s].removeValue(forKey: next[s]) {
                next[s] += 1
                if handle(ready, tracker: &trackers[s]) { finished += 1 }
            }
            if finished == streams.count { return }
        }
    }

    /// Writes the records for one in-order item; returns true when the stream finished.
    private func handle(_ item: DeliveryItem, tracker: inout Tracker) -> Bool {
        let now = Date().timeIntervalSince1970
        switch item {
        case .frame(let work, let detections):
            let name = streams[work.stream].name
            let time = work.frame.presentationTime ?? Double(work.frameIndex)
            let update = tracker.update(
                frameIndex: work.frameIndex, time: time,
                detections: detections.map { d in
                    TrackDetection(label: d.label, classIndex: d.classIndex, score: Double(d.score), box: d.box)
                })
            for started in update.started { write(.track(trackRecord(started, stream: name, event: .start, time: now)), stream: work.stream) }
            if emptyFrames || !detections.isEmpty {
                let records = update.detections.map { t in
                    DetectionRecord(
                        trackID: t.trackID, label: t.detection.label, classIndex: t.detection.classIndex,
                        score: t.detection.score,
                        box: Box(x1: round2(t.detection.box.x1), y1: round2(t.detection.box.y1), x2: round2(t.detection.box.x2), y2: round2(t.detection.box.y2)))
                }
                let frame = FrameRecord(
                    stream: name, frameIndex: work.frameIndex, pts: work.frame.presentationTime, time: work.decodedAt,
                    width: work.frame.sourceWidth, height: work.frame.sourceHeight, detections: records)
                write(.frame(frame), stream: work.stream, frame: work.frameIndex)
            } else {
                for output in outputs[work.stream] { output.mark(stream: work.stream, frame: work.frameIndex) }
            }
            for ended in update.ended { write(.track(trackRecord(ended, stream: name, event: .end, time: now)), stream: work.stream) }
            progress?.delivered(stream: work.stream, frame: work.frameIndex, nextTrackID: tracker.nextTrackID)
            metrics.written(stream: work.stream, endToEndSeconds: Double(DispatchTime.now().uptimeNanoseconds - work.decodedNanoseconds) / 1e9)
            scheduler.release(stream: work.stream)
            return false
        case .state(let stream, _, let state, let message, let time):
            write(.stream(StreamRecord(stream: streams[stream].name, state: state, time: time, message: message)), stream: stream)
            return false
        case .finished(let stream, _, let complete):
            for ended in tracker.finish() {
                write(.track(trackRecord(ended, stream: streams[stream].name, event: .end, time: now)), stream: stream)
            }
            if complete {
                for output in outputs[stream] { output.mark(stream: stream, frame: ResumeCheckpointer.completeMark) }
            }
            return true
        }
    }

    /// Encodes `record` once and offers the line to every output of `stream`; `frame` marks the frame it completes.
    private func write(_ record: Record, stream: Int, frame: Int? = nil) {
        do {
            let line = try encoder.encode(record)
            for output in outputs[stream] { output.offer(line, mark: frame.map { (stream, $0) }) }
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
