import Foundation

/// The SSD objective of the TF Object Detection API for sigmoid-scored models (ssd.md §7.1: `weighted_sigmoid`,
/// `weighted_smooth_l1`, `hard_example_miner` with loss type CLASSIFICATION, `normalize_loss_by_num_matches`).
///
/// Every class slot is an independent sigmoid, the background slot 0 included: TF pads the one-hot ground truth with a
/// background column and gives unmatched anchors the label `[1, 0, …, 0]` (`ssd_meta_arch` `unmatched_class_label`),
/// so a positive of class `c` has target 1 in slot `c` and 0 elsewhere (slot 0 too), a negative target 1 in slot 0 and
/// 0 elsewhere. `WeightedSigmoidClassificationLoss` is the element-wise
/// `max(x, 0) − x·t + log(1 + e^−|x|)`, summed over the slots of an anchor (`reduce_sum_trailing_dimensions`).
///
/// Per image the miner keeps every positive and the negatives with the largest classification loss, at most
/// `⌊ratio · positives⌋` of them but at least `minimumNegativesPerImage` (TF: `max(min_negatives_per_image,
/// int(ratio · num_positives))`; stable, lower anchor index first on ties). TF's miner first runs NMS at IoU 0.99 over
/// the decoded boxes to drop near-duplicates and caps at `num_hard_examples` 3000; neither is reproduced (the 1,917
/// SSDLite anchors stay under the cap, and exact duplicates need two anchors predicting nearly the same box).
///
/// `L = (Σ sigmoid-CE(kept anchors) + α · Σ SmoothL1(positives)) / N`, `N = max(1, positives in the batch)`;
/// `∂L/∂x = (σ(x) − t) / N` for every slot of a kept anchor.
public struct SigmoidMultiBoxLoss: Sendable {
    /// Negatives kept per positive (TF `max_negatives_per_positive` 3).
    public var negativesPerPositive: Float
    /// Negatives kept in every image, even one without positives (TF `min_negatives_per_image` is 3 in the sample
    /// config; 0 keeps "no positives, no loss" as in ``MultiBoxLoss``).
    public var minimumNegativesPerImage: Int
    /// α, the weight of the localisation term (TF `localization_weight` 1).
    public var localizationWeight: Float

    public init(negativesPerPositive: Float = 3, minimumNegativesPerImage: Int = 0, localizationWeight: Float = 1) {
        self.negativesPerPositive = negativesPerPositive
        self.minimumNegativesPerImage = minimumNegativesPerImage
        self.localizationWeight = localizationWeight
    }

    /// Loss and gradients for a batch; the layouts are those of ``MultiBoxLoss/callAsFunction(classLogits:boxRegressions:targets:classes:)``.
    public func callAsFunction(classLogits: [Float], boxRegressions: [Float], targets: [AnchorTargets], classes: Int) -> MultiBoxLossResult {
        let anchors = targets.first?.classes.count ?? 0
        precondition(classLogits.count == targets.count * anchors * classes, "SigmoidMultiBoxLoss: logits are not batch × anchors × classes")
        precondition(boxRegressions.count == targets.count * anchors * 4, "SigmoidMultiBoxLoss: regressions are not batch × anchors × 4")
        precondition(targets.allSatisfy { $0.classes.count == anchors }, "SigmoidMultiBoxLoss: every image needs one target per anchor")
        let positives = targets.reduce(0) { $0 + $1.positiveCount }
        let n = Float(max(1, positives))
        var result = MultiBoxLossResult(
            classification: 0, localization: 0, positives: positives, negatives: 0,
            classLogitsGradient: [Float](repeating: 0, count: classLogits.count),
            boxRegressionsGradient: [Float](repeating: 0, count: boxRegressions.count))
        var classification = 0.0, localization = 0.0
        for (b, target) in targets.enumerated() {
            let logitBase = b * anchors * classes
            var losses = [Float](repeating: 0, count: anchors)
            classLogits.withUnsafeBufferPointer { logits in
                for i in 0..<anchors {
                    let row = logitBase + i * classes
                    var sum: Float = 0
                    for k in 0..<classes { sum += Self.crossEntropy(logits[row + k], target: k == target.classes[i] ? 1 : 0) }
                    losses[i] = sum
                }
            }
            let kept = mine(losses: losses, classes: target.classes)
            result.negatives += kept.count - target.positiveCount
            for i in kept {
                classification += Double(losses[i])
                let row = logitBase + i * classes
                for k in 0..<classes {
                    let t: Float = k == target.classes[i] ? 1 : 0
                    result.classLogitsGradient[row + k] = (Self.sigmoid(classLogits[row + k]) - t) / n
                }
            }
            localization += SmoothL1Localization.accumulate(
                boxRegressions: boxRegressions, target: target, image: b, anchors: anchors, weight: localizationWeight,
                normalizer: n, gradient: &result.boxRegressionsGradient)
        }
        result.classification = Float(classification) / n
        result.localization = localizationWeight * Float(localization) / n
        return result
    }

    /// Positives plus the hardest negatives of one image, in anchor order.
    func mine(losses: [Float], classes: [Int]) -> [Int] {
        let positives = classes.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let limit = max(minimumNegativesPerImage, Int(negativesPerPositive * Float(positives)))
        let negatives = HardNegatives.ranked(losses: losses, classes: classes)
        var keep = classes.map { $0 > 0 }
        for i in negatives.prefix(limit) { keep[i] = true }
        return classes.indices.filter { keep[$0] }
    }

    /// `tf.nn.sigmoid_cross_entropy_with_logits`: `max(x, 0) − x·t + log(1 + e^−|x|)`, stable for any `x`.
    static func crossEntropy(_ x: Float, target t: Float) -> Float {
        max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-abs(x)))
    }

    /// The logistic function, stable for large |x|.
    static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }
}
