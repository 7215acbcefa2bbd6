import Detection
import Foundation
import Geometry
import Imaging
import Logging
import MediaIO
import ServiceLifecycle
import Sinks
import Synchronization

@testable import Pipeline

/// Events in the order they happened, from any thread.
final class EventLog: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ event: String) { storage.withLock { $0.append(event) } }

    var events: [String] { storage.withLock { $0 } }
}

/// A one-shot event that tasks can wait for (no polling, no sleeps).
final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// A sink that keeps its lines, logs its close, can hold writes until opened, and lets a test wait for N lines.
final class FakeSink: Sink {
    private struct State {
        var lines: [String] = []
        var closed = false
        var linesAtClose: Int?
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let log: EventLog?
    /// When set, writes wait until it fires.
    private let gate: Signal?

    init(log: EventLog? = nil, gate: Signal? = nil) {
        self.log = log
        self.gate = gate
    }

    var lines: [String] { state.withLock { $0.lines } }
    var isClosed: Bool { state.withLock { $0.closed } }
    /// How many lines the sink held when it was closed.
    var linesAtClose: Int? { state.withLock { $0.linesAtClose } }

    /// The decoded JSON objects of the lines.
    var objects: [[String: Any]] {
        lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func write(_ line: JSONLine) async { await write(contentsOf: [line]) }

    func write(contentsOf lines: [JSONLine]) async {
        if let gate { await gate.wait() }
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.lines += lines.map { String(decoding: $0.bytes.dropLast(), as: UTF8.self) }
            let count = state.lines.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    func flush() async {}

    func close() async {
        state.withLock { state in
            state.closed = true
            state.linesAtClose = state.lines.count
        }
        log?.append("sink closed")
    }

    /// Returns once the sink holds at least `count` lines.
    func waitForLines(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.lines.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// A source that accepts synthetic frames until the scheduler stops it (or `limit` frames), then finishes its stream.
final class FakeSource: FrameSource {
    let stream: Int
    let scheduler: FrameScheduler
    let log: EventLog
    let limit: Int
    /// Frames the scheduler accepted.
    private let acceptedCount = Mutex(0)

    init(stream: Int, scheduler: FrameScheduler, log: EventLog, limit: Int = .max) {
        self.stream = stream
        self.scheduler = scheduler
        self.log = log
        self.limit = limit
    }

    var accepted: Int { acceptedCount.withLock { $0 } }

    var threadName: String { "fake-source-\(stream)" }

    func run() {
        var index = 0
        reading: while index < limit {
            switch scheduler.accept(stream: stream, frame: Self.frame(index), frameIndex: index) {
            case .accepted: acceptedCount.withLock { $0 += 1 }
            case .dropped: break
            case .stopped: break reading
            }
            index += 1
        }
        log.append("source stopped")
        scheduler.finish(stream: stream, complete: index == limit)
    }

    static func frame(_ i: Int) -> VideoFrame {
        VideoFrame(
            index: i, presentationTime: Double(i) / 25, sourceWidth: 64, sourceHeight: 48,
            image: RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 48)))
    }
}

/// A detector that finds one person at a fixed place in every frame, counting its calls.
final class FakeDetector: FrameDetector, @unchecked Sendable {
    // Unchecked: `count` is behind its lock; the rest is immutable.
    private let count = Mutex(0)
    /// Fired (once) when the first frame is in inference; the worker then waits for `release`, if set.
    let started = Signal()
    let release: Signal?

    init(release: Signal? = nil) { self.release = release }

    /// Frames it was given.
    var calls: Int { count.withLock { $0 } }

    func detect(_ image: RGBImage) throws -> [Detection] {
        count.withLock { $0 += 1 }
        started.fire()
        if let release {
            let semaphore = DispatchSemaphore(value: 0)
            Task {
                await release.wait(); semaphore.signal()
            }
            semaphore.wait()
        }
        return [Detection(classIndex: 1, label: "person", score: 0.9, box: Box(x1: 10, y1: 10, x2: 30, y2: 40))]
    }
}

/// A listener that closes at its turn and logs it.
struct FakeListener: Service {
    let log: EventLog

    func run() async {
        await waitForShutdownTurn()
        log.append("listener stopped")
    }
}

/// A listener that fails as soon as it runs (a metrics endpoint that lost its socket).
struct FailingListener: Service {
    struct Failure: Error, Equatable {}

    func run() async throws { throw Failure() }
}

enum Fakes {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func stream(_ i: Int = 0) -> StreamConfiguration {
        StreamConfiguration(name: "s\(i)", url: "fake://\(i)", live: false)
    }
}
