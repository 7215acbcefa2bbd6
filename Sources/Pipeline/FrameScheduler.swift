import Foundation
import MediaIO
import Sinks

/// The bounded hand-off between per-stream source threads and the shared inference workers.
///
/// Each stream may have at most its `capacity` of frames *pending*: accepted and not yet written by the delivery stage.
/// When a stream is full, a **file** source blocks (back-pressure: nothing is ever dropped), while a **live** source
/// drops its oldest frame still waiting for a worker (or, if none waits, the new frame), counting each drop.
/// Workers take the oldest waiting frame of any stream, so streams share the workers fairly.
///
/// Delivery numbers: a frame gets its stream's next sequence number when a worker takes it, and a state change or
/// the end of a stream gets one once every frame accepted before it was taken (it waits behind them in the queue).
/// A dropped frame therefore never had a number and leaves no gap, so what reaches delivery is bounded by the
/// capacity (plus the few state changes) whatever the sources do. A frame the motion gate held back (`gated`) is
/// numbered and delivered like a state change, without a worker.
///
/// All state is guarded by one `NSCondition`; methods block only source and worker threads (never Swift's cooperative
/// pool): `accept` may wait for room and `take` for work, every other method returns at once.
final class FrameScheduler: @unchecked Sendable {
    /// A frame waiting for a worker, or a state change or the end of the stream queued behind waiting frames.
    private enum Waiting {
        case frame(WorkItem)
        case state(StreamStateChange, time: Double)
        case finish(complete: Bool)
        /// A frame the motion gate held back from the detector: delivered like a marker once it reaches the head.
        case gated(WorkItem)
        /// An entry already taken by a worker or delivered (before `waitingHead`, until ``compact(_:)`` drops it). It
        /// holds nothing: a taken frame's pixels must go once its worker is done with them, not when the queue is next
        /// compacted (64 and more entries later, which held 65 frames of every stream at once).
        case consumed
    }

    private struct StreamState {
        let live: Bool
        let capacity: Int
        var waiting: [Waiting] = []
        var waitingHead = 0
        /// Frames among `waiting[waitingHead...]`.
        var waitingCount = 0
        var pending = 0
        var nextSequence = 0
        var finished = false
        /// A reload stopped this stream alone: its source stops reading as at shutdown.
        var stopping = false
        /// Frames dropped so far that were to be inferred (the motion gate infers the frame after such a drop); dropped
        /// gated frames are not counted here.
        var drops = 0
    }

    /// Result of offering a frame.
    enum Acceptance: Equatable {
        case accepted
        /// A live stream was full and nothing was waiting: the new frame was dropped.
        case dropped
        /// The scheduler is stopping; the frame was not accepted.
        case stopped
    }

    private let condition = NSCondition()
    private var streams: [StreamState]
    private let deliver: @Sendable (DeliveryItem) -> Void
    private let metrics: PipelineMetrics
    private var stopping = false
    /// Every stream finished and drained once: no stream can be added any more (the pipeline is winding down).
    private var closed = false
    private var readers: [Int: ReadCanceller] = [:]
    /// Called once, under the lock, when every stream slot has finished (the daemon ends the stream of later sources).
    var onAllFinished: (@Sendable () -> Void)? {
        get { condition.withLock { allFinished } }
        set {
            condition.withLock {
                if !streams.isEmpty && streams.allSatisfy(\.finished) { newValue?() } else { allFinished = newValue }
            }
        }
    }
    private var allFinished: (@Sendable () -> Void)?
    private var backlogBound: UInt64?
    /// A live stream's frames that have waited longer than this (nanoseconds) when a newer one is accepted are dropped
    /// first (`[workers] live_backlog`): after a burst the stream jumps to its newest frame. Nil keeps only the
    /// capacity rule.
    var liveBacklogNanoseconds: UInt64? {
        get { condition.withLock { backlogBound } }
        set { condition.withLock { backlogBound = newValue } }
    }

    /// - Parameters:
    ///   - liveStreams: per stream, whether it is live (drops) or a file (blocks).
    ///   - capacities: per stream, the frames it may have pending (at least 1).
    init(
        liveStreams: [Bool], capacities: [Int], metrics: PipelineMetrics, deliver: @escaping @Sendable (DeliveryItem) -> Void
    ) {
        precondition(liveStreams.count == capacities.count && capacities.allSatisfy { $0 >= 1 }, "FrameScheduler: capacities")
        streams = zip(liveStreams, capacities).map { StreamState(live: $0, capacity: $1) }
        self.metrics = metrics
        self.deliver = deliver
    }

    /// Every stream with the same `capacity`.
    convenience init(liveStreams: [Bool], capacity: Int, metrics: PipelineMetrics, deliver: @escaping @Sendable (DeliveryItem) -> Void) {
        self.init(liveStreams: liveStreams, capacities: liveStreams.map { _ in capacity }, metrics: metrics, deliver: deliver)
    }

    /// Whether sources should stop reading.
    var isStopping: Bool { condition.withLock { stopping } }

    /// Whether `stream`'s source should stop reading: the daemon is stopping, or a reload stopped the stream.
    func isStopping(stream: Int) -> Bool { condition.withLock { stopping || streams[stream].stopping } }

    /// Offers a decoded frame of `stream`. Blocks a file source while its stream is full.
    ///
    /// A `gated` frame (the motion gate found no change) takes a place in the stream's queue like any frame but is
    /// never given to a worker: it is delivered, with its sequence number and no detections, as soon as every frame
    /// accepted before it was taken (as a state change is), and delivery reuses the stream's last detections for it.
    /// When a live stream is full, a gated frame is dropped itself rather than a frame waiting for inference.
    func accept(stream: Int, frame: VideoFrame, frameIndex: Int, gated: Bool = false) -> Acceptance {
        let now = Date().timeIntervalSince1970
        let nanoseconds = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        defer { condition.unlock() }
        if streams[stream].live, let bound = backlogBound { dropStaleFrames(stream, olderThan: bound, now: nanoseconds) }
        while streams[stream].pending >= streams[stream].capacity {
            if stopping || streams[stream].stopping { return .stopped }
            if streams[stream].live {
                // A gated frame never pushes out one waiting for inference: it is the one dropped.
                guard !gated, removeOldestWaitingFrame(stream) else {
                    if !gated { streams[stream].drops += 1 }
                    metrics.dropped(stream: stream)
                    return .dropped
                }
                streams[stream].pending -= 1
                streams[stream].drops += 1
                metrics.dropped(stream: stream)
                break
            }
            condition.wait()
        }
        if stopping || streams[stream].stopping { return .stopped }
        // The sequence number is given when a worker takes the frame.
        let item = WorkItem(
            stream: stream, sequence: -1, frameIndex: frameIndex, frame: frame, decodedAt: now,
            decodedNanoseconds: nanoseconds)
        compact(stream)
        if gated {
            streams[stream].waiting.append(.gated(item))
            streams[stream].pending += 1
            deliverMarkers(stream)
            return .accepted
        }
        streams[stream].waiting.append(.frame(item))
        streams[stream].waitingCount += 1
        streams[stream].pending += 1
        condition.broadcast()
        return .accepted
    }

    /// Records a state change of `stream`, ordered after every frame accepted so far.
    func post(stream: Int, state: StreamStateChange) {
        condition.withLock {
            streams[stream].waiting.append(.state(state, time: Date().timeIntervalSince1970))
            deliverMarkers(stream)
        }
    }

    /// Marks `stream` finished: its source will accept nothing more. `complete`: a file read to its end (its resume
    /// point then says so once its records are durable).
    func finish(stream: Int, complete: Bool = false) {
        condition.withLock {
            guard !streams[stream].finished else { return }
            streams[stream].finished = true
            streams[stream].waiting.append(.finish(complete: complete))
            deliverMarkers(stream)
            readers[stream] = nil
            if streams.allSatisfy(\.finished) {
                closed = true
                allFinished?()
                allFinished = nil
            }
            condition.broadcast()
        }
    }

    /// Blocks until a frame is waiting (oldest first across streams) or every stream is finished and drained (nil).
    func take() -> WorkItem? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let item = takeOldestWaiting(where: { _ in true }) { return item }
            if streams.allSatisfy({ $0.finished && $0.waitingCount == 0 }) {
                closed = true
                return nil
            }
            condition.wait()
        }
    }

    /// Blocks like ``take()`` until a frame is waiting, takes it, then also takes up to `maxBatch − 1` more frames
    /// already waiting of streams that `batchable(first, other)` says can share its forward pass (streams of the same
    /// model), oldest first across those streams: the frames the next takes would have given, skipping streams that
    /// cannot join. Returns them in that order (a stream's frames in its order, with increasing sequence numbers), or
    /// an empty array when every stream is finished and drained. Never waits for a batch to fill: latency stays that of
    /// single takes, and batches form only when frames queue up.
    ///
    /// - Important: `batchable` runs under the scheduler's lock; it must not call the scheduler.
    func take(upTo maxBatch: Int, batchable: (_ first: Int, _ other: Int) -> Bool) -> [WorkItem] {
        guard let first = take() else { return [] }
        var batch = [first]
        guard maxBatch > 1 else { return batch }
        condition.withLock {
            while batch.count < maxBatch, let next = takeOldestWaiting(where: { batchable(first.stream, $0) }) {
                batch.append(next)
            }
        }
        return batch
    }

    /// Takes the oldest frame waiting at the head of a stream that `includes`, giving it the stream's next sequence
    /// number (and delivering the markers behind it); nil when none waits. Call under the lock.
    private func takeOldestWaiting(where includes: (Int) -> Bool) -> WorkItem? {
        var best: (stream: Int, item: WorkItem)?
        for index in streams.indices where streams[index].waitingCount > 0 && includes(index) {
            // Markers never stay at the head (they are delivered as soon as they reach it), so the head is a frame.
            guard case .frame(let head) = streams[index].waiting[streams[index].waitingHead] else { continue }
            if let b = best, b.item.decodedNanoseconds <= head.decodedNanoseconds { continue }
            best = (index, head)
        }
        guard let (stream, head) = best else { return nil }
        consumeHead(stream)
        streams[stream].waitingCount -= 1
        let item = WorkItem(
            stream: stream, sequence: nextSequence(stream), frameIndex: head.frameIndex, frame: head.frame,
            decodedAt: head.decodedAt, decodedNanoseconds: head.decodedNanoseconds)
        deliverMarkers(stream)
        return item
    }

    /// Called by delivery once a frame's records are written: frees its place in the stream's queue.
    func release(stream: Int) {
        condition.withLock {
            streams[stream].pending -= 1
            condition.broadcast()
        }
    }

    /// Registers the reader a source is blocked in, so `stopSources` can interrupt it.
    func register(stream: Int, reader: ReadCanceller?) {
        condition.withLock {
            readers[stream] = reader
            if stopping || streams[stream].stopping { reader?.cancel() }
        }
    }

    /// Graceful shutdown: sources stop reading (blocked reads are interrupted, blocked accepts return `.stopped`);
    /// frames already accepted still go through inference and delivery.
    func stopSources() {
        condition.withLock {
            stopping = true
            for reader in readers.values { reader.cancel() }
            condition.broadcast()
        }
    }

    /// Waits up to `seconds` for the stop signal; returns true when stopping (interruptible sleep for back-off).
    func waitForStop(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopping {
            if !condition.wait(until: deadline) { return stopping }
        }
        return true
    }

    /// ``waitForStop(seconds:)`` that also returns true when a reload stopped `stream`.
    func waitForStop(stream: Int, seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopping && !streams[stream].stopping {
            if !condition.wait(until: deadline) { return stopping || streams[stream].stopping }
        }
        return true
    }

    /// Adds a stream in a new slot (slots are never reused) and returns its index; nil once the pipeline is winding
    /// down (stopping, or every stream finished and drained). `announce` runs under the scheduler's lock with the new
    /// index before anything of the stream can be delivered, so delivery hears of the slot before its first item and
    /// before any other stream's last `finished` could end it.
    func addStream(live: Bool, capacity: Int, announce: (Int) -> Void) -> Int? {
        precondition(capacity >= 1, "FrameScheduler: capacity")
        return condition.withLock {
            guard !stopping, !closed, !streams.allSatisfy(\.finished) else { return nil }
            streams.append(StreamState(live: live, capacity: capacity))
            announce(streams.count - 1)
            return streams.count - 1
        }
    }

    /// Stops one stream's source (a reload removed or changed it): its blocked read is interrupted, its blocked
    /// accept returns `.stopped`; frames it already accepted still go through inference and delivery.
    func stopStream(_ stream: Int) {
        condition.withLock {
            guard !streams[stream].finished else { return }
            streams[stream].stopping = true
            readers[stream]?.cancel()
            condition.broadcast()
        }
    }

    /// The `ended` change a source posts when it stops because it was told to: a reload's (reason `reload`) or the
    /// daemon's.
    func endingChange(stream: Int) -> StreamStateChange {
        let reload = condition.withLock { streams[stream].stopping && !stopping }
        return reload
            ? StreamStateChange(state: .ended, message: "configuration reloaded", reason: .reload)
            : StreamStateChange(state: .ended, message: "daemon stopping")
    }

    /// Whether `stream` is finished (its source returned).
    func isFinished(stream: Int) -> Bool { condition.withLock { streams[stream].finished } }

    /// How many slots exist (finished ones included).
    var slotCount: Int { condition.withLock { streams.count } }

    /// Frames waiting for a worker, per stream (a gauge for metrics).
    func waitingCounts() -> [Int] { condition.withLock { streams.map(\.waitingCount) } }

    /// Frames accepted and not yet written, per stream.
    func pendingCounts() -> [Int] { condition.withLock { streams.map(\.pending) } }

    /// Frames of `stream` that were to be inferred and were dropped so far (the new one refused, or the oldest waiting
    /// one removed); a dropped gated frame does not count.
    func drops(stream: Int) -> Int { condition.withLock { streams[stream].drops } }

    private func nextSequence(_ stream: Int) -> Int {
        defer { streams[stream].nextSequence += 1 }
        return streams[stream].nextSequence
    }

    /// Delivers the state changes, end marks and gated frames at the head of `stream`'s queue (every frame before them
    /// was taken).
    private func deliverMarkers(_ stream: Int) {
        while streams[stream].waitingHead < streams[stream].waiting.count {
            switch streams[stream].waiting[streams[stream].waitingHead] {
            case .frame:
                return
            case .state(let change, let time):
                deliver(
                    .state(
                        stream: stream, sequence: nextSequence(stream), change.state, message: change.message, time: time,
                        reason: change.reason))
            case .finish(let complete):
                deliver(.finished(stream: stream, sequence: nextSequence(stream), complete: complete))
            case .gated(let item):
                deliver(.frame(item.gatedFrame(sequence: nextSequence(stream)), []))
            case .consumed:
                break
            }
            consumeHead(stream)
        }
    }

    /// Moves `stream`'s head past its entry, leaving ``Waiting/consumed`` in its place (which releases what it held).
    private func consumeHead(_ stream: Int) {
        streams[stream].waiting[streams[stream].waitingHead] = .consumed
        streams[stream].waitingHead += 1
    }

    /// Removes the oldest frame waiting in `stream`'s queue (markers stay); false when no frame waits.
    private func removeOldestWaitingFrame(_ stream: Int) -> Bool {
        guard streams[stream].waitingCount > 0 else { return false }
        var index = streams[stream].waitingHead
        while index < streams[stream].waiting.count {
            if case .frame = streams[stream].waiting[index] {
                streams[stream].waiting.remove(at: index)
                streams[stream].waitingCount -= 1
                deliverMarkers(stream)
                return true
            }
            index += 1
        }
        return false
    }

    /// Drops every frame of `stream` still waiting for a worker that was decoded at least `bound` nanoseconds before
    /// `now`, counting each (the live backlog policy). Frames wait in decode order, so the stale ones are the oldest.
    private func dropStaleFrames(_ stream: Int, olderThan bound: UInt64, now: UInt64) {
        while streams[stream].waitingCount > 0, let oldest = oldestWaitingFrame(stream),
            now >= oldest.decodedNanoseconds, now - oldest.decodedNanoseconds >= bound
        {
            _ = removeOldestWaitingFrame(stream)
            streams[stream].pending -= 1
            metrics.dropped(stream: stream)
        }
    }

    /// The oldest frame waiting in `stream`'s queue.
    private func oldestWaitingFrame(_ stream: Int) -> WorkItem? {
        for entry in streams[stream].waiting[streams[stream].waitingHead...] {
            if case .frame(let item) = entry { return item }
        }
        return nil
    }

    /// Drops consumed entries from the front of a queue once they dominate it (amortised O(1)).
    private func compact(_ stream: Int) {
        if streams[stream].waitingHead > 64 && streams[stream].waitingHead * 2 > streams[stream].waiting.count {
            streams[stream].waiting.removeFirst(streams[stream].waitingHead)
            streams[stream].waitingHead = 0
        }
    }
}

/// A stream state change reported by a source.
struct StreamStateChange: Sendable {
    let state: StreamRecord.State
    let message: String?
    /// Why the stream ended, when it is not its own doing (a reload).
    var reason: StreamRecord.Reason? = nil

    init(state: StreamRecord.State, message: String?, reason: StreamRecord.Reason? = nil) {
        self.state = state
        self.message = message
        self.reason = reason
    }
}
