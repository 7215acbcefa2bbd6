/// The learning rate at each iteration: linear warm-up, then multi-step decay.
///
/// Warm-up follows torchvision's detection reference (`LinearLR(start_factor=1/1000, total_iters=…)` in the first
/// epoch): factor `f + (1 − f)·i / warmupIterations` for `i < warmupIterations`. Decay follows `MultiStepLR` and Caffe's
/// `multistep` policy: multiplied by `gamma` at each milestone reached (`i ≥ milestone`).
public struct LearningRateSchedule: Sendable, Equatable {
    public var baseRate: Float
    public var warmupIterations: Int
    /// Factor at iteration 0 of the warm-up.
    public var warmupStartFactor: Float
    /// Iterations at which the rate is multiplied by ``gamma``, ascending.
    public var milestones: [Int]
    public var gamma: Float

    public init(baseRate: Float, warmupIterations: Int = 0, warmupStartFactor: Float = 0.001, milestones: [Int] = [], gamma: Float = 0.1) {
        self.baseRate = baseRate
        self.warmupIterations = warmupIterations
        self.warmupStartFactor = warmupStartFactor
        self.milestones = milestones
        self.gamma = gamma
    }

    /// The rate for 0-based `iteration`.
    public func rate(at iteration: Int) -> Float {
        var rate = baseRate
        if iteration < warmupIterations {
            rate *= warmupStartFactor + (1 - warmupStartFactor) * Float(iteration) / Float(warmupIterations)
        }
        for milestone in milestones where iteration >= milestone { rate *= gamma }
        return rate
    }
}
