/// The seeded random source of data augmentation and synthetic data (xoshiro256**, seeded through SplitMix64).
///
/// Every draw goes through this value, so one seed reproduces an augmentation exactly on every platform.
public struct AugmentationGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in `[lower, upper)` (Caffe's `caffe_rng_uniform`), from 24 random bits.
    public mutating func uniform(_ lower: Float, _ upper: Float) -> Float {
        lower + (upper - lower) * Float(next() >> 40) / Float(1 << 24)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Float) -> Bool { uniform(0, 1) < p }

    /// Uniform integer in `0..<count`.
    public mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }

    /// A seed for an independent stream (e.g. one per training image).
    public mutating func split() -> AugmentationGenerator { AugmentationGenerator(seed: next()) }
}
