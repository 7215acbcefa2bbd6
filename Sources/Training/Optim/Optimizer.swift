/// Updates parameters from their gradients. The trainer owns one optimizer and calls ``step(_:gradients:learningRate:)``
/// once per (effective) batch; the learning rate comes from a ``LearningRateSchedule`` so optimizers hold no clock.
///
/// Mirrors candle's `Optimizer` trait (`candle-nn/src/optim.rs`): the model code is unchanged, only its weight source
/// (a ``ParameterSet``) is mutated.
public protocol Optimizer {
    /// Applies one update to `parameters`. Parameters without an entry in `gradients` (frozen, or unused by the graph)
    /// are left exactly as they are.
    mutating func step(_ parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float)

    /// Per-parameter state (e.g. momentum buffers) under stable names, for checkpoints.
    var state: ParameterSet { get }

    /// Restores state saved from ``state``.
    /// - Throws: ``TrainerError/checkpoint(file:reason:)`` if it does not fit this optimizer.
    mutating func restore(_ state: ParameterSet) throws
}
