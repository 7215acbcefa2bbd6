import TensorEngine

/// The engine's seeded generator, under the name the tests use.
public typealias SplitMix64 = TensorEngine.SplitMix64
