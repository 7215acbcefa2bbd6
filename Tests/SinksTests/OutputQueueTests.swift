import Foundation
import Logging
import Sinks
import Synchronization
import Testing

/// The per-output queue: offering never waits, a blocked output drops only its own overflow, marks follow writes.
@Suite struct OutputQueueTests {
    static let logger = Logger(label: "SinksTests.queue")

    static func line(_ n: Int) -> JSONLine {
        JSONLine(validating: Array("{\"n\":\(n)}\n".utf8), metadata: RecordMetadata(kind: .notice, stream: nil, labels: []))!
    }

    /// A sink whose writes block until `release()`; records what it got.
    final class BlockingSink: Sink {
        let received = Mutex<[JSONLine]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let blocked = Atomic<Bool>(true)
        let entered = Atomic<Int>(0)

        func write(_ line: JSONLine) async {
            entered.add(1, ordering: .relaxed)
            if blocked.load(ordering: .relaxed) {
                await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } }
            }
            received.withLock { $0.append(line) }
        }
        func flush() async {}
        func close() async {}
        func release() {
            blocked.store(false, ordering: .relaxed)
            while true {
                if let continuation = gate.withLock({ c -> CheckedContinuation<Void, Never>? in
                    defer { c = nil }; return c
                }) {
                    continuation.resume()
                    return
                }
                usleep(1000)
            }
        }
    }

    /// A sink that records lines at once.
    final class RecordingSink: Sink {
        let received = Mutex<[JSONLine]>([])
        func write(_ line: JSONLine) async { received.withLock { $0.append(line) } }
        func flush() async {}
        func close() async {}
    }

    @Test("a blocked output fills its own queue and drops the overflow; the other output gets every line at once")
    func blockedOutputDoesNotStallOthers() async throws {
        let blocking = BlockingSink()
        let recording = RecordingSink()
        let slow = OutputQueue(name: "slow", sink: blocking, capacity: 10, stallThreshold: .milliseconds(50), logger: Self.logger)
        let fast = OutputQueue(name: "fast", sink: recording, capacity: 10, logger: Self.logger)
        let drains = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await slow.run() }
                group.addTask { await fast.run() }
            }
        }
        var acceptedBySlow = 0
        for n in 0..<100 {
            if slow.offer(Self.line(n)) { acceptedBySlow += 1 }
            #expect(fast.offer(Self.line(n)), "the fast output never drops")
            // Give the fast drain a chance to keep up, as a real pipeline would between frames.
            if n % 5 == 4 { while fast.statistics.queued > 0 { await Task.yield() } }
        }
        while recording.received.withLock({ $0.count }) < 100 { await Task.yield() }
        #expect(recording.received.withLock { $0.map(\.bytes) } == (0..<100).map { Self.line($0).bytes })
        // The slow sink's queue holds 10 lines (the batch inside its blocked write included); the rest were dropped.
        while blocking.entered.load(ordering: .relaxed) == 0 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(100))
        let statistics = slow.statistics
        #expect(acceptedBySlow == 10)
        #expect(statistics.dropped == 90)
        #expect(statistics.queued == 10)
        #expect(statistics.isDropping && statistics.isStalled && !statistics.isHealthy)
        #expect(fast.statistics.isHealthy)

        blocking.release()
        slow.finish()
        fast.finish()
        await drains.value
        #expect(blocking.received.withLock { $0.map(\.bytes) } == (0..<10).map { Self.line($0).bytes }, "what was accepted is written, in order")
        #expect(slow.statistics.written == 10)
        #expect(!slow.offer(Self.line(1000)), "nothing is accepted after finish")
    }

    @Test("marks report the last frame whose lines the sink has taken, per stream, including frames without lines")
    func marks() async {
        let recording = RecordingSink()
        let queue = OutputQueue(name: "q", sink: recording, logger: Self.logger)
        #expect(queue.writtenThrough(stream: 0) == nil)
        queue.offer(Self.line(0), mark: (0, 7))
        queue.mark(stream: 1, frame: 3)
        queue.offer(Self.line(1), mark: (0, 8))
        queue.offer(Self.line(2))
        queue.finish()
        await queue.run()
        #expect(queue.writtenThrough(stream: 0) == 8)
        #expect(queue.writtenThrough(stream: 1) == 3)
        #expect(recording.received.withLock { $0.count } == 3)
    }
}
