import TensorEngine

/// The engine's seeded generator (``TensorEngine/SplitMix64``), under the name the trainer's API uses.
public typealias SeededGenerator = SplitMix64
