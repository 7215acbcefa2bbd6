/// A converted Caffe convolution's parameters, with the per-channel affine map of BatchNorm and Scale layers that
/// follow it, kept in float64 and applied once when the parameters are written.
struct CaffeConvolutionRecord {
    /// OIHW weights as stored in the caffemodel.
    var weights: [Float]
    /// The bias, or nil (`bias_term: false`).
    var bias: [Float]?
    var outChannels: Int
    /// `y = conv(x) · multiplier[c] + shift[c]`, composed from folded BatchNorm and Scale layers; nil when none.
    var multiplier: [Double]?
    var shift: [Double]?

    /// Composes `y ↦ y · multiplier + shift` after the current map.
    mutating func compose(multiplier m: [Double], shift s: [Double]) {
        let current = multiplier ?? [Double](repeating: 1, count: outChannels)
        let currentShift = shift ?? [Double](repeating: 0, count: outChannels)
        multiplier = zip(current, m).map { $0 * $1 }
        shift = (0..<outChannels).map { currentShift[$0] * m[$0] + s[$0] }
    }

    /// The weights and bias with the affine map folded in, each value rounded to float32 once.
    func folded() -> (weights: [Float], bias: [Float]?) {
        guard let multiplier, let shift else { return (weights, bias) }
        let perChannel = weights.count / outChannels
        var foldedWeights = [Float](repeating: 0, count: weights.count)
        var foldedBias = [Float](repeating: 0, count: outChannels)
        for channel in 0..<outChannels {
            let base = channel * perChannel
            for offset in 0..<perChannel {
                foldedWeights[base + offset] = Float(Double(weights[base + offset]) * multiplier[channel])
            }
            foldedBias[channel] = Float(Double(bias?[channel] ?? 0) * multiplier[channel] + shift[channel])
        }
        return (foldedWeights, foldedBias)
    }
}
