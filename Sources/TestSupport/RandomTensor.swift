import TensorEngine

extension Tensor {
    /// A tensor of uniform random values in `range`, reproducible from `seed`.
    public static func random(shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return random(shape: shape, in: range, using: &rng)
    }

    /// A tensor of uniform random values in `range` drawn from `rng`.
    public static func random(shape: [Int], in range: ClosedRange<Float> = -1...1, using rng: inout SplitMix64) -> Tensor {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = rng.nextFloat(in: range) }
        return Tensor(shape: shape, values: values)
    }
}
