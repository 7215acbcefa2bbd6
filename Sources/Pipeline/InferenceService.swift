import ServiceLifecycle
import Sinks

/// Runs the inference workers, each on a thread of its own, and joins them.
///
/// Workers take frames until the scheduler runs dry — every stream finished (the sources stopped or ended) and every
/// accepted frame inferred — so they exit by themselves once the sources are done; nothing cancels a frame in
/// inference. Once all are joined, `onDrained` tells delivery that no item will follow. `run` then waits for its
/// shutdown turn (after the sources'), so the group's order holds.
struct InferenceService: Service, CustomStringConvertible {
    let workers: [InferenceWorker]
    /// Called once every worker thread has returned (the daemon finishes delivery's item stream).
    let onDrained: @Sendable () -> Void

    var description: String { "inference" }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (i, worker) in workers.enumerated() {
                group.addTask { await runOnThread("ssdd-infer-\(i)") { worker.run() } }
            }
        }
        onDrained()
        await waitForShutdownTurn()
    }
}
