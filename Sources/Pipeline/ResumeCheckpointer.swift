import Foundation
import Logging
import Sinks
import Synchronization

/// Saves each stream's ``ResumePoint`` about once a second and at shutdown, after the lines it covers are durable:
/// the file outputs are flushed and fsynced first, and a file output that still holds lines for retry holds its
/// streams' points back. Without file outputs, a point advances once the socket has taken the lines.
final class ResumeCheckpointer: Sendable {
    /// The mark a completed file stream leaves in its outputs' queues.
    static let completeMark = Int.max

    let store: ResumeStore
    /// By slot; a reload appends.
    private let streams: Mutex<[StreamConfiguration]>
    private let logger: Logger
    /// The point each stream started from, then the last one saved.
    private let saved: Mutex<[ResumePoint]>
    /// The tracker's next id per stream, kept current by delivery.
    private let nextTrackIDs: Mutex<[Int]>
    /// The last frame delivered per stream (a completed stream's point keeps it).
    private let lastFrames: Mutex<[Int]>

    /// Loads the saved points; `starts` gives, per stream, the point it starts from (nil: from the beginning).
    init(store: ResumeStore, streams: [StreamConfiguration], logger: Logger) {
        self.store = store
        self.streams = Mutex(streams)
        self.logger = logger
        let points = streams.map { Self.start(of: $0, store: store) }
        saved = Mutex(points)
        nextTrackIDs = Mutex(points.map(\.nextTrackID))
        lastFrames = Mutex(points.map(\.frame))
    }

    private static func start(of stream: StreamConfiguration, store: ResumeStore) -> ResumePoint {
        if let point = store.load(stream: stream.name), point.applies(to: stream) { return point }
        let identity = ResumePoint.identity(ofInput: stream.url)
        return ResumePoint(
            stream: stream.name, url: stream.url, frame: -1, nextTrackID: 1, complete: false,
            sourceSize: identity?.size, sourceModified: identity?.modified)
    }

    /// The point each stream starts from.
    var starts: [ResumePoint] { saved.withLock { $0 } }

    /// Adds slot `slot` for `stream` (a reload added or restarted it) and returns the point it starts from (the
    /// stream's saved one, when it applies).
    func addSlot(_ slot: Int, stream: StreamConfiguration) -> ResumePoint {
        let point = Self.start(of: stream, store: store)
        streams.withLock { $0.append(stream) }
        saved.withLock { $0.append(point) }
        nextTrackIDs.withLock { $0.append(point.nextTrackID) }
        lastFrames.withLock { $0.append(point.frame) }
        return point
    }

    /// Delivery reports each delivered frame and the tracker's next id.
    func delivered(stream: Int, frame: Int, nextTrackID: Int) {
        nextTrackIDs.withLock { $0[stream] = nextTrackID }
        lastFrames.withLock { $0[stream] = frame }
    }

    /// Checkpoints every `interval` until cancelled.
    func run(outputs: Outputs, every interval: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await checkpoint(outputs: outputs)
        }
    }

    /// Makes the outputs durable and saves every point that moved.
    func checkpoint(outputs: Outputs) async {
        let fileOutputs = outputs.fileOutputsWithQueues
        let durableQueues = fileOutputs.isEmpty ? outputs.queues : fileOutputs.map(\.queue)
        // Marks are read before the flush, so everything they cover is fsynced by it.
        let slotCount = streams.withLock { $0.count }
        let routes = outputs.perStream
        var marks = durableQueues.map { q in (0..<slotCount).map { q.writtenThrough(stream: $0) } }
        if !fileOutputs.isEmpty {
            for (i, file) in fileOutputs.map(\.sink).enumerated() {
                await file.flush()
                let s = file.statistics
                if s.pendingLines > 0 || s.isFailing { marks[i] = marks[i].map { _ in nil } }
            }
        }
        let trackIDs = nextTrackIDs.withLock { $0 }
        let frames = lastFrames.withLock { $0 }
        var changed: [ResumePoint] = []
        saved.withLock { points in
            for s in 0..<min(slotCount, points.count, trackIDs.count, frames.count, routes.count) {
                var lowest: Int?
                var blocked = false
                for (q, queue) in durableQueues.enumerated() where routes[s].contains(where: { $0 === queue }) {
                    guard let mark = marks[q][s] else { blocked = true; break }
                    lowest = min(lowest ?? mark, mark)
                }
                guard !blocked, let lowest else { continue }
                var point = points[s]
                if lowest == Self.completeMark {
                    guard !point.complete else { continue }
                    point.complete = true
                    point.frame = max(point.frame, frames[s])
                } else {
                    guard lowest > point.frame else { continue }
                    point.frame = lowest
                }
                point.nextTrackID = max(point.nextTrackID, trackIDs[s])
                points[s] = point
                changed.append(point)
            }
        }
        for point in changed {
            do {
                try store.save(point)
            } catch {
                logger.error("cannot save the resume point: \(error)", metadata: ["stream": "\(point.stream)"])
            }
        }
    }
}
