/// Folds an inference-mode batch normalisation into the convolution before it.
///
/// `y = (conv(x) − mean)·gamma/sqrt(var + eps) + beta` becomes a convolution with weights `w·s` and bias
/// `beta − mean·s`, where `s = gamma/sqrt(var + eps)` per output channel. Everything is computed in float64 and rounded
/// to float32 once, so the folded values are the float32 nearest to the exact fold of the stored float32 parameters.
enum BatchNormFolding {
    /// Folded weights and bias.
    ///
    /// - Parameters:
    ///   - weights: OIHW weights, `outChannels` contiguous blocks of equal size.
    ///   - bias: an existing bias to fold as well (added before the normalisation), or nil.
    ///   - gamma, beta, mean, variance: per-output-channel BN parameters, each `outChannels` long.
    ///   - epsilon: the BN epsilon as the graph stores it (float32).
    static func fold(
        weights: [Float], bias: [Float]?, gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float
    ) -> (weights: [Float], bias: [Float]) {
        let outChannels = gamma.count
        precondition(
            [beta.count, mean.count, variance.count].allSatisfy { $0 == outChannels } && outChannels > 0
                && weights.count % outChannels == 0,
            "BatchNormFolding.fold: callers validate that BN parameters match the output channels")
        let perChannel = weights.count / outChannels
        var folded = [Float](repeating: 0, count: weights.count)
        var foldedBias = [Float](repeating: 0, count: outChannels)
        for channel in 0..<outChannels {
            let scale = Double(gamma[channel]) / (Double(variance[channel]) + Double(epsilon)).squareRoot()
            let base = channel * perChannel
            for offset in 0..<perChannel {
                folded[base + offset] = Float(Double(weights[base + offset]) * scale)
            }
            let inputBias = Double(bias?[channel] ?? 0)
            foldedBias[channel] = Float(Double(beta[channel]) + (inputBias - Double(mean[channel])) * scale)
        }
        return (folded, foldedBias)
    }
}
