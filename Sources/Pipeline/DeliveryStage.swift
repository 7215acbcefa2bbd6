import Detection
import Foundation
import Geometry
import Logging
import Sinks
import Tracking

/// A stream slot added at run time (``DeliveryItem/added(_:)``): the stream's settings and the id its tracker gives
/// first (its outputs are set in ``DeliveryStage/routing`` before it is announced).
struct DeliverySlot: Sendable {
    let index: Int
    let configuration: StreamConfiguration
    var firstTrackID = 1
    /// The tracker settings of the reloaded configuration; nil uses the stage's.
    var tracker: TrackerConfiguration? = nil
}

/// The last stage: puts each stream's results back in frame order, runs the stream's tracker and event stage (which
/// may annotate the frame's and the ended tracks' records before they are written), turns results into records
/// (`track` starts, `frame`, `track` ends, the event stage's records, `stream`) and hands each encoded line to the
/// stream's outputs.
///
/// Each line is encoded once and offered to every output's bounded ``OutputQueue``; how a full queue behaves is the
/// queue's policy (the daemon's drop the newest line and never wait, `ssdd detect`'s wait for room). A frame's place
/// in its stream's queue is released once every output has accepted (queued) its lines.
struct DeliveryStage {
    let streams: [StreamConfiguration]
    let trackerConfiguration: TrackerConfiguration
    let emptyFrames: Bool
    let scheduler: FrameScheduler
    let metrics: PipelineMetrics
    let logger: Logger
    /// Output queues for each stream slot (shared outputs appear in several lists); a reload adds slots and swaps
    /// outputs that reopened.
    let routing: OutputRouting
    /// The id each stream's tracker gives first (resume points continue the numbering).
    let firstTrackIDs: [Int]
    /// Told of every delivered frame (resume points, progress); nil when nobody listens.
    let observer: (any DeliveryObserver)?
    /// Makes each stream's event stage.
    let eventStages: EventStageFactory
    /// The kinds of record written; others are not even encoded (`ssdd detect` writes frames only by default).
    let kinds: Set<RecordKind>
    /// Where each stream's ``SnapshotRecorder`` sends its pictures; nil without snapshots.
    var snapshotWriter: SnapshotWriter?
    private let encoder = JSONLineEncoder()

    init(
        streams: [StreamConfiguration], trackerConfiguration: TrackerConfiguration, emptyFrames: Bool,
        scheduler: FrameScheduler, metrics: PipelineMetrics, logger: Logger, outputs: [[OutputQueue]],
        firstTrackIDs: [Int]? = nil, observer: (any DeliveryObserver)? = nil,
        eventStages: @escaping EventStageFactory = { _ in PassThroughEventStage() },
        kinds: Set<RecordKind> = [.frame, .track, .stream, .event, .notice], routing: OutputRouting? = nil
    ) {
        self.streams = streams
        self.trackerConfiguration = trackerConfiguration
        self.emptyFrames = emptyFrames
        self.scheduler = scheduler
        self.metrics = metrics
        self.logger = logger
        self.routing = routing ?? OutputRouting(outputs)
        self.firstTrackIDs = firstTrackIDs ?? streams.map { _ in 1 }
        self.observer = observer
        self.eventStages = eventStages
        self.kinds = kinds
    }

    /// Told when a stream slot has finished (its last records were queued): a reload waits for it before it starts
    /// a restarted stream's new source.
    var onSlotFinished: (@Sendable (Int) -> Void)?

    /// One stream's delivery state.
    private struct StreamState {
        let configuration: StreamConfiguration
        var tracker: Tracker
        var stage: any EventStage
        var snapshots: SnapshotRecorder?
        var next = 0
        var held: [Int: DeliveryItem] = [:]
        /// The detections of the stream's last inferred frame: what a gated frame (motion gating) tracks on.
        var lastDetections: [Detection] = []
    }

    /// Consumes `items` until every stream has finished (or `items` ends).
    func run(_ items: AsyncStream<DeliveryItem>) async throws {
        var states = try streams.indices.map { s in
            try makeState(slot: s, configuration: streams[s], firstTrackID: firstTrackIDs[s])
        }
        var finished = 0
        for await item in items {
            if case .added(let slot) = item {
                // Slots are announced in order, before any item of theirs.
                precondition(slot.index == states.count, "DeliveryStage: slot \(slot.index) announced out of order")
                states.append(
                    try makeState(slot: slot.index, configuration: slot.configuration, firstTrackID: slot.firstTrackID, tracker: slot.tracker))
                continue
            }
            let s = item.stream
            states[s].held[item.sequence] = item
            while let ready = states[s].held.removeValue(forKey: states[s].next) {
                states[s].next += 1
                if await handle(ready, state: &states[s]) {
                    finished += 1
                    onSlotFinished?(s)
                }
            }
            if finished == states.count { return }
        }
    }

    private func makeState(
        slot: Int, configuration: StreamConfiguration, firstTrackID: Int, tracker: TrackerConfiguration? = nil
    ) throws -> StreamState {
        StreamState(
            configuration: configuration,
            tracker: try Tracker(configuration: tracker ?? trackerConfiguration, firstTrackID: firstTrackID),
            stage: eventStages(configuration),
            snapshots: snapshotWriter.map { SnapshotRecorder(stream: slot, configuration: configuration, writer: $0) })
    }

    /// Writes the records for one in-order item; returns true when the stream finished.
    private func handle(_ item: DeliveryItem, state: inout StreamState) async -> Bool {
        let now = Date().timeIntervalSince1970
        switch item {
        case .frame(let frame, let inferredDetections):
            let name = state.configuration.name
            // A gated frame was not inferred: the tracker sees the last inferred frame's detections again, so tracks
            // stay alive and their ages advance as on any frame.
            let detections = frame.gated ? state.lastDetections : inferredDetections
            if !frame.gated { state.lastDetections = inferredDetections }
            let inferred: Bool? = frame.gated ? false : nil
            let update = state.tracker.update(
                frameIndex: frame.frameIndex, time: frame.pts ?? Double(frame.frameIndex),
                detections: detections.map(TrackDetection.init))
            var tracked = TrackedFrame(
                record: FrameRecord(
                    stream: name, frameIndex: frame.frameIndex, pts: frame.pts, time: frame.decodedAt,
                    width: frame.sourceWidth, height: frame.sourceHeight,
                    detections: update.detections.map { DetectionRecord(trackID: $0.trackID, detection: $0.detection) },
                    inferred: inferred),
                startedTracks: update.started.map { trackRecord($0, stream: name, event: .start, time: now, inferred: inferred) },
                endedTracks: update.ended.map { trackRecord($0, stream: name, event: .end, time: now, inferred: inferred) })
            let events = state.stage.analyze(&tracked)
            state.snapshots?.observe(&tracked, pixels: frame.pixels, decodedNanoseconds: frame.decodedNanoseconds)
            var records = tracked.startedTracks.map(Record.track)
            if emptyFrames || !detections.isEmpty { records.append(.frame(tracked.record)) }
            records += tracked.endedTracks.map(Record.track)
            records += events
            await write(records, stream: frame.stream, name: name, mark: frame.frameIndex)
            observer?.delivered(stream: frame.stream, frame: frame.frameIndex, nextTrackID: state.tracker.nextTrackID)
            if frame.gated { metrics.gated(stream: frame.stream) }
            metrics.written(stream: frame.stream, endToEndSeconds: Double(DispatchTime.now().uptimeNanoseconds - frame.decodedNanoseconds) / 1e9)
            scheduler.release(stream: frame.stream)
            return false
        case .state(let stream, _, let streamState, let message, let time, let reason):
            let name = state.configuration.name
            let record = StreamRecord(stream: name, state: streamState, time: time, message: message, reason: reason)
            await write([.stream(record)], stream: stream, name: name)
            return false
        case .added:
            return false
        case .finished(let stream, _, let complete):
            let name = state.configuration.name
            var ended = state.tracker.finish().map { trackRecord($0, stream: name, event: .end, time: now) }
            let events = state.stage.finish(endedTracks: &ended)
            if state.snapshots != nil { ended = ended.map { state.snapshots!.close($0) } }
            var records = ended.map(Record.track)
            records += events
            await write(records, stream: stream, name: name, mark: complete ? ResumeCheckpointer.completeMark : nil)
            return true
        }
    }

    /// Encodes each record once and offers the lines to every output of `stream`, in order; `mark` (a frame index)
    /// rides on the last line, or alone when no line is written, so resume points pass frames that wrote nothing.
    private func write(_ records: [Record], stream: Int, name: String, mark: Int? = nil) async {
        var lines: [JSONLine] = []
        for record in records where kinds.contains(record.kind) {
            do {
                lines.append(try encoder.encode(record))
            } catch {
                logger.error("cannot encode a record: \(error)", metadata: ["stream": "\(name)"])
            }
        }
        for output in routing.queues(slot: stream) {
            for (i, line) in lines.enumerated() {
                await output.enqueue(line, mark: i == lines.count - 1 ? mark.map { (stream, $0) } : nil)
            }
            if lines.isEmpty, let mark { output.mark(stream: stream, frame: mark) }
        }
    }

    /// The record of `t`; `inferred` false when it is made on a gated frame.
    private func trackRecord(_ t: TrackSummary, stream: String, event: TrackRecord.Event, time: Double, inferred: Bool? = nil) -> TrackRecord {
        var record = TrackRecord(
            stream: stream, event: event, trackID: t.id, label: t.label, classIndex: t.classIndex, firstPts: t.firstTime,
            lastPts: t.lastTime, firstFrameIndex: t.firstFrameIndex, lastFrameIndex: t.lastFrameIndex,
            frameCount: t.frameCount, bestScore: t.bestScore, time: time)
        record.inferred = inferred
        return record
    }
}
