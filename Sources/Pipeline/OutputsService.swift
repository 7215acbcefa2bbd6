import Logging
import ServiceLifecycle
import Sinks
import UnixSignals

/// Owns the opened ``Outputs``: drains their queues, retries failed file writes and keeps the resume points (SIGHUP and
/// SIGUSR1 reopen the files through ``ReloadService``); shut down after delivery and before the listeners.
///
/// On its shutdown turn — and on every other way out: cancellation, a failing service elsewhere — it stops accepting
/// lines, waits up to `drainDeadline` seconds for the queues to empty into their outputs, saves the resume points,
/// and closes the outputs (files flushed, fsynced and closed; subscribers told), waiting up to `closeDeadline` for an
/// output that blocks. `run` never throws and never returns with an output open (unless one is blocked past its
/// deadline, which is logged).
struct OutputsService: Service, CustomStringConvertible {
    let outputs: Outputs
    /// Resume points; nil without a state directory.
    let checkpointer: ResumeCheckpointer?
    let logger: Logger
    var drainDeadline: Double = 10
    var closeDeadline: Double = 10
    /// How often lines held after failed file writes are retried, and resume points saved.
    var retryInterval: Duration = .seconds(2)
    var checkpointInterval: Duration = .seconds(1)

    var description: String { "outputs" }

    func run() async {
        // Unstructured so that an output blocked forever (a FIFO nobody reads) can be abandoned at the deadline: a
        // child task would keep the service from returning.
        let drains = Task { await outputs.run() }
        await withTaskGroup(of: Void.self) { group in
            if let checkpointer { group.addTask { await checkpointer.run(outputs: outputs, every: checkpointInterval) } }
            // Lines held after failed writes are retried even when no new line arrives (files a reload opened too).
            group.addTask { [outputs, retryInterval] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: retryInterval) } catch { return }
                    for file in outputs.files where file.statistics.pendingLines > 0 { await file.retryPending() }
                }
            }
            await waitForShutdownTurn()
            group.cancelAll()
        }
        // A task of its own so that a cancelled service still drains and closes (it does not inherit cancellation).
        await Task { [outputs, checkpointer, logger, drainDeadline, closeDeadline] in
            await outputs.drain(drains, within: drainDeadline, logger: logger)
            await checkpointer?.checkpoint(outputs: outputs)
            await outputs.close(within: closeDeadline, logger: logger)
        }.value
    }
}
