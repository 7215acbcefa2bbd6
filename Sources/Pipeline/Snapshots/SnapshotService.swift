import Foundation
import ServiceLifecycle
import Synchronization

/// Runs the ``SnapshotWriter`` on a thread of its own. Registered between the outputs and delivery, so at shutdown it
/// stops after delivery has handed over its last pictures (the tracks' `end`s) and writes what is queued, waiting at
/// most ``drainTimeout`` for a disk that blocks.
struct SnapshotService: Service, CustomStringConvertible {
    let writer: SnapshotWriter

    /// Longest wait at shutdown for the queued pictures.
    static let drainTimeout: Duration = .seconds(10)

    var description: String { "snapshots" }

    func run() async {
        let done = ThreadCompletion()
        let thread = Thread { [writer] in
            writer.run()
            done.signal()
        }
        thread.name = "ssdd-snapshots"
        thread.start()
        await waitForShutdownTurn()
        writer.finish()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await done.wait() }
            group.addTask { try? await Task.sleep(for: Self.drainTimeout) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Tells an async waiter that a thread finished; the wait ends early when its task is cancelled.
final class ThreadCompletion: Sendable {
    private struct State {
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// The thread finished: resumes the waiter.
    func signal() {
        let waiter = self.state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Returns once ``signal()`` was called, or the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { s -> Bool in
                    if s.finished || Task.isCancelled { return true }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { s -> CheckedContinuation<Void, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }
}
