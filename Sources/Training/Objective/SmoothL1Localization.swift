/// The localisation term both MultiBox losses share: smooth L1 (β = 1) between predicted and target regressions of
/// the positive anchors of one image, and its gradient.
enum SmoothL1Localization {
    /// Adds image `image`'s Σ smooth-L1 over positives to the returned sum and writes `weight · ∂/∂x / normalizer`
    /// into `gradient` (layout `batch × anchors × 4`).
    static func accumulate(
        boxRegressions: [Float], target: AnchorTargets, image: Int, anchors: Int, weight: Float, normalizer: Float,
        gradient: inout [Float]
    ) -> Double {
        var sum = 0.0
        for i in 0..<anchors where target.classes[i] > 0 {
            for c in 0..<4 {
                let index = (image * anchors + i) * 4 + c
                let x = boxRegressions[index] - target.regressions[4 * i + c]
                sum += Double(abs(x) < 1 ? 0.5 * x * x : abs(x) - 0.5)
                gradient[index] = weight * (abs(x) < 1 ? x : (x > 0 ? 1 : -1)) / normalizer
            }
        }
        return sum
    }
}
