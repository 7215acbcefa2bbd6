/// The deterministic weights of the Caffe parity fixtures (tools/caffe_ssd_fixtures.py), bit for bit as the Python
/// tool makes them, so tests rebuild the same `.caffemodel` without Python or a 100 MB file in the repository.
///
/// For blob `index` of layer `layer`: `key` = FNV-1a 64 of the UTF-8 name followed by the bytes 0 and `index`;
/// value `i` draws `z` = splitmix64's finaliser of `key + (i + 1)·0x9E3779B97F4A7C15` (wrapping), `u = (z >> 40)·2⁻²⁴`
/// (exact in float32), `w = (2u − 1)·amplitude` in float32, plus `shift` on every `period`-th value when `period > 0`.
public struct CaffeWeightRecipe: Sendable, Equatable, Decodable {
    public var layer: String
    /// The layer's Caffe type (`Convolution`, `Normalize`).
    public var type: String
    public var index: Int
    public var shape: [Int]
    public var amplitude: Float
    public var period: Int
    public var shift: Float

    public init(layer: String, type: String, index: Int, shape: [Int], amplitude: Float, period: Int = 0, shift: Float = 0) {
        self.layer = layer
        self.type = type
        self.index = index
        self.shape = shape
        self.amplitude = amplitude
        self.period = period
        self.shift = shift
    }

    /// Number of values: the product of the shape.
    public var count: Int { shape.reduce(1, *) }

    /// The blob's values.
    public func values() -> [Float] {
        precondition((0..<256).contains(index) && period >= 0, "CaffeWeightRecipe: blob index \(index) or period \(period) out of range")
        let key = FNV1a.hash(Array(layer.utf8) + [0, UInt8(index)])
        let scale = Float(1) / Float(1 << 24)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                var z = key &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let u = Float(z >> 40) * scale
                var w = (2 * u - 1) * amplitude
                if period > 0 && i % period == 0 { w += shift }
                buffer[i] = w
            }
            initialized = count
        }
    }
}
