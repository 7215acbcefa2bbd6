import ServiceLifecycle
import Sinks

/// Runs every stream's ``FrameSource`` on a thread of its own; the first service graceful shutdown reaches.
///
/// - Graceful shutdown or cancellation: ``FrameScheduler/stopSources()`` — blocked reads are interrupted, blocked
///   accepts return — and `run` returns once every source thread has returned (each finished its stream).
/// - On its own, `run` returns once every source is done (file streams read to their end): registered with
///   `successTerminationBehavior: .gracefullyShutdownGroup`, that shuts the group down, which drains the rest.
struct SourcesService: Service, CustomStringConvertible {
    let sources: [any FrameSource]
    let scheduler: FrameScheduler
    /// Called when graceful shutdown reaches the sources, before they are stopped (the daemon notifies systemd).
    let onGracefulShutdown: @Sendable () -> Void
    /// Sources started later (a reload's new streams), each run like the first ones; the stream ends once every
    /// stream slot is finished (the scheduler's `onAllFinished`), so the service still returns when every file is read.
    var launches: AsyncStream<any FrameSource>?

    var description: String { "sources" }

    init(
        sources: [any FrameSource], scheduler: FrameScheduler, onGracefulShutdown: @escaping @Sendable () -> Void = {},
        launches: AsyncStream<any FrameSource>? = nil
    ) {
        self.sources = sources
        self.scheduler = scheduler
        self.onGracefulShutdown = onGracefulShutdown
        self.launches = launches
    }

    func run() async {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    for source in sources {
                        group.addTask { await runOnThread(source.threadName) { source.run() } }
                    }
                    guard let launches else { return }
                    for await source in launches {
                        group.addTask { await runOnThread(source.threadName) { source.run() } }
                    }
                }
            } onCancel: {
                scheduler.stopSources()
            }
        } onGracefulShutdown: { [scheduler, onGracefulShutdown] in
            onGracefulShutdown()
            scheduler.stopSources()
        }
    }
}
