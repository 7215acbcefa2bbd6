import Foundation

/// Produces the batches of iterations `start..<end` on a dedicated thread, at most `depth` ahead of the consumer, so
/// loading and augmentation overlap the training step.
///
/// Queue policy when full: the producer blocks (no batch is ever dropped — training must see every iteration).
/// The first error the source throws is delivered in iteration order, and production stops.
final class BatchPrefetcher: @unchecked Sendable {
    // @unchecked: every mutable field below is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var ready: [Int: Result<[TrainingSample], any Error>] = [:]
    private var next: Int
    private var cancelled = false
    private let depth: Int

    /// Starts the producer thread.
    init(source: any TrainingBatchSource, batchSize: Int, iterations: Range<Int>, depth: Int) {
        self.next = iterations.lowerBound
        self.depth = max(1, depth)
        let thread = Thread { [self] in produce(source: source, batchSize: batchSize, iterations: iterations) }
        thread.name = "Training.prefetch"
        thread.start()
    }

    deinit { cancel() }

    /// The batch of `iteration`, waiting for it if needed. Iterations must be requested in order.
    func batch(for iteration: Int) throws -> [TrainingSample] {
        condition.lock()
        defer { condition.unlock() }
        while ready[iteration] == nil { condition.wait() }
        let result = ready.removeValue(forKey: iteration)!
        next = iteration + 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops production after the batch in progress.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func produce(source: any TrainingBatchSource, batchSize: Int, iterations: Range<Int>) {
        for iteration in iterations {
            condition.lock()
            while !cancelled && iteration >= next + depth { condition.wait() }
            let stop = cancelled
            condition.unlock()
            if stop { return }
            let result = Result { try source.batch(iteration: iteration, size: batchSize) }
            condition.lock()
            ready[iteration] = result
            condition.broadcast()
            condition.unlock()
            if case .failure = result { return }
        }
    }
}
