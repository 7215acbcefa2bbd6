import Logging
import Synchronization

/// A bounded queue in front of one ``Sink``, drained by its own task, so the pipeline hands lines to every output
/// without ever waiting for one of them.
///
/// - Overflow policy (``OverflowPolicy``), for lines handed over with ``enqueue(_:mark:)``:
///   - ``OverflowPolicy/dropNewest`` (the daemon's outputs): when `capacity` lines are queued, a new line is
///     **dropped** (the newest; what is already queued is kept and written in order), counted in
///     ``OutputQueueStatistics/dropped`` and logged once per streak. A blocked or failing output therefore loses only
///     lines that arrive while it is full, and never delays the others.
///   - ``OverflowPolicy/wait`` (`ssdd detect`'s file or stdout): the caller waits until the queue has room, so no
///     line is ever dropped; a blocked output holds back the pipeline (back-pressure) instead.
///
///   ``offer(_:mark:)`` never waits: on a full queue it drops, whatever the policy.
/// - Health: an output is unhealthy while it drops, while its sink reports failures (``Sink/isHealthy``), or while one
///   batch has been in its sink for longer than `stallThreshold` (a write that blocks: a hung network filesystem).
/// - Progress: each entry may carry a mark (stream index, frame index); once the sink has taken every line up to a
///   mark, ``writtenThrough(stream:)`` reports it. The daemon derives resume points from that.
public final class OutputQueue: Sendable {
    /// Name used in logs and metric labels, e.g. `file:/var/log/ssdd/detections.jsonl` or `socket`.
    public let name: String
    /// Lines the queue holds at most.
    public let capacity: Int
    /// A batch in the sink longer than this makes the output unhealthy.
    public let stallThreshold: Duration
    /// What ``enqueue(_:mark:)`` does when the queue is full.
    public let overflowPolicy: OverflowPolicy
    private let sink: any Sink
    private let logger: Logger
    private let state: Mutex<State>

    /// One queued line or a progress mark.
    private struct Entry: Sendable {
        var line: JSONLine?
        var mark: (stream: Int, frame: Int)?
    }

    private struct State: ~Copyable {
        var entries: [Entry] = []
        var head = 0
        var lines = 0
        var waiter: CheckedContinuation<Void, Never>?
        /// Callers of `enqueue` waiting for room (policy `.wait`).
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var finished = false
        var statistics = OutputQueueStatistics()
        var busySince: ContinuousClock.Instant?
        var writtenThrough: [Int: Int] = [:]

        /// Queues `entry` (the caller checked for room) and returns the drain loop's waiter to resume, if it waits.
        mutating func append(_ entry: Entry) -> CheckedContinuation<Void, Never>? {
            entries.append(entry)
            lines += 1
            statistics.queued = lines
            statistics.accepted += 1
            defer { waiter = nil }
            return waiter
        }
    }

    /// - Parameters:
    ///   - name: for logs and metrics.
    ///   - sink: the output; only this queue's task calls its `write` methods.
    ///   - capacity: lines held at most (at least 1).
    ///   - stallThreshold: how long one batch may take before the output counts as unhealthy.
    ///   - overflowPolicy: what ``enqueue(_:mark:)`` does when the queue is full.
    public init(
        name: String, sink: any Sink, capacity: Int = 10_000, stallThreshold: Duration = .seconds(5),
        overflowPolicy: OverflowPolicy = .dropNewest, logger: Logger
    ) {
        precondition(capacity >= 1, "OutputQueue capacity must be at least 1")
        self.overflowPolicy = overflowPolicy
        self.name = name
        self.sink = sink
        self.capacity = capacity
        self.stallThreshold = stallThreshold
        self.logger = logger
        self.state = Mutex(State())
    }

    /// Queues `line` (with an optional progress mark) without waiting; returns false when it was dropped because the
    /// queue is full or finished.
    @discardableResult
    public func offer(_ line: JSONLine, mark: (stream: Int, frame: Int)? = nil) -> Bool {
        let (accepted, waiter, logDrop) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?, Bool) in
            guard !state.finished, state.lines < capacity else {
                state.statistics.dropped += 1
                let first = !state.statistics.isDropping
                state.statistics.isDropping = true
                return (false, nil, first)
            }
            return (true, state.append(Entry(line: line, mark: mark)), false)
        }
        waiter?.resume()
        if logDrop {
            logger.error(
                "output queue full: dropping new lines until it drains (the output is blocked or too slow)",
                metadata: ["output": "\(name)", "capacity": "\(capacity)"])
        }
        return accepted
    }

    /// Queues `line` according to ``overflowPolicy``: with `.dropNewest` as ``offer(_:mark:)`` (never waits), with
    /// `.wait` after waiting for room. Returns false when the line was dropped (a full `.dropNewest` queue, or a
    /// finished queue).
    @discardableResult
    public func enqueue(_ line: JSONLine, mark: (stream: Int, frame: Int)? = nil) async -> Bool {
        guard overflowPolicy == .wait else { return offer(line, mark: mark) }
        while true {
            // Room is checked and the line queued under one lock, so a concurrent caller cannot take the room between.
            if let accepted = appendIfRoom(line, mark: mark) { return accepted }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.lines < capacity { return true }
                    state.spaceWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Queues `line` if there is room (true), counts it dropped if the queue is finished (false), or returns nil when
    /// the queue is full.
    private func appendIfRoom(_ line: JSONLine, mark: (stream: Int, frame: Int)?) -> Bool? {
        let (result, waiter) = state.withLock { state -> (Bool?, CheckedContinuation<Void, Never>?) in
            if state.finished {
                state.statistics.dropped += 1
                return (false, nil)
            }
            guard state.lines < capacity else { return (nil, nil) }
            return (true, state.append(Entry(line: line, mark: mark)))
        }
        waiter?.resume()
        return result
    }

    /// Queues a progress mark for a frame that produced no line (so resume points advance past it).
    public func mark(stream: Int, frame: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.entries.append(Entry(line: nil, mark: (stream, frame)))
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// The last frame of `stream` whose lines the sink has taken, or nil before the first.
    public func writtenThrough(stream: Int) -> Int? { state.withLock { $0.writtenThrough[stream] } }

    /// Current counters.
    public var statistics: OutputQueueStatistics {
        let now = ContinuousClock.now
        var result = state.withLock { state in
            var s = state.statistics
            s.isStalled = state.busySince.map { now - $0 > stallThreshold } ?? false
            return s
        }
        result.isSinkHealthy = sink.isHealthy
        return result
    }

    /// Stops accepting lines; ``run()`` returns once everything queued is in the sink.
    public func finish() {
        let (waiter, spaceWaiters) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            state.finished = true
            let waiter = state.waiter
            state.waiter = nil
            defer { state.spaceWaiters = [] }
            return (waiter, state.spaceWaiters)
        }
        waiter?.resume()
        for waiter in spaceWaiters { waiter.resume() }
    }

    /// Drains the queue into the sink, in batches, until ``finish()`` was called and the queue is empty. Run it in the
    /// owning service's task group; cancellation does not stop it (accepted lines are still written): call `finish()`.
    public func run() async {
        while true {
            let batch = await nextBatch()
            guard let batch else { return }
            let lines = batch.compactMap(\.line)
            if !lines.isEmpty { await sink.write(contentsOf: lines) }
            let (recovered, spaceWaiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                state.busySince = nil
                // Lines count against the capacity until the sink has them (a blocked write holds its batch).
                state.lines -= lines.count
                state.statistics.queued = state.lines
                state.statistics.written += lines.count
                for entry in batch { if let mark = entry.mark { state.writtenThrough[mark.stream] = mark.frame } }
                let wasDropping = state.statistics.isDropping
                if state.lines < capacity / 2 { state.statistics.isDropping = false }
                defer { state.spaceWaiters = [] }
                return (wasDropping && !state.statistics.isDropping, state.spaceWaiters)
            }
            for waiter in spaceWaiters { waiter.resume() }
            if recovered { logger.notice("output queue drained; accepting lines again", metadata: ["output": "\(name)"]) }
        }
    }

    /// Waits for entries and takes up to 512 of them; nil when finished and empty.
    private func nextBatch() async -> [Entry]? {
        while true {
            let batch = state.withLock { state -> [Entry]?? in
                if state.head < state.entries.count {
                    let end = min(state.entries.count, state.head + 512)
                    let batch = Array(state.entries[state.head..<end])
                    state.head = end
                    if state.head == state.entries.count {
                        state.entries.removeAll(keepingCapacity: true)
                        state.head = 0
                    } else if state.head > 4096 {
                        state.entries.removeFirst(state.head)
                        state.head = 0
                    }
                    state.busySince = .now
                    return .some(batch)
                }
                return state.finished ? .some(nil) : nil
            }
            if let batch { return batch }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.head < state.entries.count || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}

/// What an ``OutputQueue`` does with a line handed to ``OutputQueue/enqueue(_:mark:)`` while it is full.
public enum OverflowPolicy: Sendable, Equatable {
    /// Drop the new line (count and log it); never wait. For outputs that must not hold back the others.
    case dropNewest
    /// Wait for room; never drop. For a single output whose every line matters (`ssdd detect`).
    case wait
}

/// Counters of an ``OutputQueue``.
public struct OutputQueueStatistics: Sendable, Equatable {
    /// Lines accepted into the queue.
    public var accepted = 0
    /// Lines handed to the sink.
    public var written = 0
    /// Lines dropped because the queue was full (or finished).
    public var dropped = 0
    /// Lines accepted and not yet taken by the sink (waiting, or in a write in progress).
    public var queued = 0
    /// Whether the queue is full and dropping (until it drains to half its capacity).
    public var isDropping = false
    /// Whether one batch has been in the sink longer than the stall threshold.
    public var isStalled = false
    /// What the sink says about itself (files: false while writes fail and lines wait for retry).
    public var isSinkHealthy = true

    /// Healthy: not dropping, not stalled, and the sink is well.
    public var isHealthy: Bool { !isDropping && !isStalled && isSinkHealthy }

    public init() {}
}
