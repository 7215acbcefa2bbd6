import Foundation

/// Settings of one training run. Defaults follow the SSD recipes (ssd.md §6.3) scaled to a small machine.
public struct TrainerConfiguration: Sendable, Equatable {
    /// Optimizer steps to run in total (a resumed run continues up to this count).
    public var iterations: Int
    /// Images per micro-batch (one forward/backward).
    public var batchSize: Int
    /// Micro-batches per optimizer step (effective batch = `batchSize · accumulationSteps`).
    public var accumulationSteps: Int
    public var schedule: LearningRateSchedule
    public var momentum: Float
    public var weightDecay: Float
    /// torchvision decays biases; Caffe's SSD does not.
    public var decayBiases: Bool
    public var frozen: FrozenParameters
    /// Worker threads for forward/backward.
    public var threads: Int
    /// A progress report every this many optimizer steps.
    public var progressInterval: Int
    /// A checkpoint every this many optimizer steps (0: only at the end), written to ``checkpointURL``.
    public var checkpointInterval: Int
    public var checkpointURL: URL?
    /// Batches produced ahead of the step.
    public var prefetchDepth: Int
    /// Hard negatives kept per positive anchor.
    public var negativesPerPositive: Float

    public init(
        iterations: Int, batchSize: Int = 8, accumulationSteps: Int = 1,
        schedule: LearningRateSchedule = LearningRateSchedule(baseRate: 1e-3), momentum: Float = 0.9, weightDecay: Float = 5e-4,
        decayBiases: Bool = true, frozen: FrozenParameters = .none, threads: Int = 2, progressInterval: Int = 10,
        checkpointInterval: Int = 0, checkpointURL: URL? = nil, prefetchDepth: Int = 2, negativesPerPositive: Float = 3
    ) {
        self.iterations = iterations
        self.batchSize = batchSize
        self.accumulationSteps = accumulationSteps
        self.schedule = schedule
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.decayBiases = decayBiases
        self.frozen = frozen
        self.threads = threads
        self.progressInterval = progressInterval
        self.checkpointInterval = checkpointInterval
        self.checkpointURL = checkpointURL
        self.prefetchDepth = prefetchDepth
        self.negativesPerPositive = negativesPerPositive
    }

    /// Why the configuration cannot run, or nil.
    var invalidReason: String? {
        if iterations < 0 { return "iterations must not be negative (got \(iterations))" }
        if batchSize < 1 { return "batch size must be at least 1 (got \(batchSize))" }
        if accumulationSteps < 1 { return "accumulation steps must be at least 1 (got \(accumulationSteps))" }
        if threads < 1 { return "threads must be at least 1 (got \(threads))" }
        if progressInterval < 1 { return "progress interval must be at least 1 (got \(progressInterval))" }
        if !(schedule.baseRate > 0) { return "learning rate must be positive (got \(schedule.baseRate))" }
        return nil
    }
}
