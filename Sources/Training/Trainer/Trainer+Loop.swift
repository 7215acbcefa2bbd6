import Foundation

extension Trainer {
    /// Runs optimizer steps from ``iteration`` up to `configuration.iterations`, each over `accumulationSteps`
    /// micro-batches from `source` (prefetched on another thread), reporting every `progressInterval` steps and
    /// checkpointing every `checkpointInterval` steps and at the end (when a checkpoint URL is set).
    ///
    /// Micro-batch `j` of step `i` is `source.batch(iteration: i · accumulationSteps + j, …)`, so a resumed run reads
    /// the same batches an uninterrupted one would.
    public func train(source: any TrainingBatchSource, progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingSummary {
        let c = configuration
        let start = iteration
        guard start < c.iterations else {
            return TrainingSummary(steps: 0, finalIteration: iteration, images: 0, seconds: 0, reports: [])
        }
        let prefetcher = BatchPrefetcher(
            source: source, batchSize: c.batchSize,
            iterations: (start * c.accumulationSteps)..<(c.iterations * c.accumulationSteps), depth: c.prefetchDepth)
        defer { prefetcher.cancel() }
        var accumulator = GradientAccumulator(steps: c.accumulationSteps)
        var reports: [TrainingProgress] = []
        let clock = ContinuousClock()
        let began = clock.now
        var intervalStart = began
        var sums = (loss: 0.0, cls: 0.0, loc: 0.0, pos: 0.0, micro: 0, images: 0)
        var totalImages = 0
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        while iteration < c.iterations {
            var mean: ParameterSet?
            for micro in 0..<c.accumulationSteps {
                let samples = try prefetcher.batch(for: iteration * c.accumulationSteps + micro)
                let (loss, gradients) = try self.gradients(for: samples)
                guard loss.total.isFinite else {
                    throw TrainerError.invalidConfiguration(
                        "the loss diverged to \(loss.total) at iteration \(iteration); lower the learning rate or lengthen the warm-up")
                }
                sums.loss += Double(loss.total)
                sums.cls += Double(loss.classification)
                sums.loc += Double(loss.localization)
                sums.pos += Double(loss.positives)
                sums.micro += 1
                sums.images += samples.count
                totalImages += samples.count
                mean = accumulator.add(gradients)
            }
            let rate = c.schedule.rate(at: iteration)
            apply(mean!)
            if iteration % c.progressInterval == 0 || iteration == c.iterations {
                let now = clock.now
                let m = Double(max(1, sums.micro))
                let report = TrainingProgress(
                    iteration: iteration, iterations: c.iterations, loss: Float(sums.loss / m), classification: Float(sums.cls / m),
                    localization: Float(sums.loc / m), positives: Float(sums.pos / m), learningRate: rate,
                    imagesPerSecond: Double(sums.images) / max(1e-9, seconds(intervalStart.duration(to: now))))
                reports.append(report)
                progress(report)
                sums = (0, 0, 0, 0, 0, 0)
                intervalStart = now
            }
            if let url = c.checkpointURL, c.checkpointInterval > 0, iteration % c.checkpointInterval == 0, iteration < c.iterations {
                try saveCheckpoint(to: url)
            }
        }
        if let url = c.checkpointURL { try saveCheckpoint(to: url) }
        return TrainingSummary(
            steps: iteration - start, finalIteration: iteration, images: totalImages, seconds: seconds(began.duration(to: clock.now)),
            reports: reports)
    }
}
