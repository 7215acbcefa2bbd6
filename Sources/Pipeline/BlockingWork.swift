import Foundation
import ServiceLifecycle

/// Runs blocking work (file I/O, network compilation) on a fresh thread and awaits its result, so Swift's cooperative
/// pool — two threads on a 2-core machine — is never held by it.
func runBlocking<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.name = name
        thread.start()
    }
}

/// Waits until graceful shutdown reaches the calling service (or its task is cancelled). A service whose work is done
/// calls this before returning: ``ServiceGroup`` treats a service that returns before its turn as a failure, and
/// the turn order (the reverse of registration) is what drains the pipeline.
func waitForShutdownTurn() async {
    try? await gracefulShutdown()
}
