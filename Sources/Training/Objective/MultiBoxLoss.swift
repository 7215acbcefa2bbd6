import Foundation

/// The SSD MultiBox objective with hard negative mining, as torchvision's `SSD.compute_loss` (ssd.md §6.2).
///
/// For a batch: `L = (Σ CE(kept anchors) + α · Σ SmoothL1(positives)) / N`, `N = max(1, positives in the batch)`.
/// Positives are anchors with a class; per image the kept negatives are the background anchors whose cross-entropy
/// (target 0) ranks below `ratio · positives(image)` in descending order (stable: the lower anchor index first on
/// ties, where torch's sort leaves the order unspecified). An image without positives keeps no negatives, and a batch
/// without positives has loss 0 and zero gradients.
///
/// Caffe's `MultiBoxLoss` (MAX_NEGATIVE, neg_overlap 0.5, normalization VALID) selects the same set: its eligible
/// negatives are unmatched anchors with max IoU < 0.5, which under either matcher are exactly the background anchors;
/// it keeps `min(int(3·num_pos), eligible)`, equal to torchvision's rank rule for an integer ratio; only its
/// normaliser lacks the max(1, ·), which matters only when it skips the batch anyway.
public struct MultiBoxLoss: Sendable {
    /// Negatives kept per positive (3 in the paper).
    public var negativesPerPositive: Float
    /// α, the weight of the localisation term (1 in the paper).
    public var localizationWeight: Float

    public init(negativesPerPositive: Float = 3, localizationWeight: Float = 1) {
        self.negativesPerPositive = negativesPerPositive
        self.localizationWeight = localizationWeight
    }

    /// Loss and gradients for a batch.
    ///
    /// - Parameters:
    ///   - classLogits: `batch × anchors × classes`, row-major (the heads' flattened output per image, concatenated).
    ///   - boxRegressions: `batch × anchors × 4`.
    ///   - targets: one per image, each with `anchors` entries.
    public func callAsFunction(classLogits: [Float], boxRegressions: [Float], targets: [AnchorTargets], classes: Int) -> MultiBoxLossResult {
        let anchors = targets.first?.classes.count ?? 0
        precondition(classLogits.count == targets.count * anchors * classes, "MultiBoxLoss: logits are not batch × anchors × classes")
        precondition(boxRegressions.count == targets.count * anchors * 4, "MultiBoxLoss: regressions are not batch × anchors × 4")
        precondition(targets.allSatisfy { $0.classes.count == anchors }, "MultiBoxLoss: every image needs one target per anchor")
        let positives = targets.reduce(0) { $0 + $1.positiveCount }
        let n = Float(max(1, positives))
        var result = MultiBoxLossResult(
            classification: 0, localization: 0, positives: positives, negatives: 0,
            classLogitsGradient: [Float](repeating: 0, count: classLogits.count),
            boxRegressionsGradient: [Float](repeating: 0, count: boxRegressions.count))
        var classification = 0.0, localization = 0.0
        for (b, target) in targets.enumerated() {
            let logitBase = b * anchors * classes
            // Cross-entropy per anchor against its target class (background for negatives).
            var losses = [Float](repeating: 0, count: anchors)
            classLogits.withUnsafeBufferPointer { logits in
                for i in 0..<anchors {
                    let row = logitBase + i * classes
                    losses[i] = Self.logSumExp(logits, row, classes) - logits[row + target.classes[i]]
                }
            }
            let kept = Self.mine(losses: losses, classes: target.classes, ratio: negativesPerPositive)
            result.negatives += kept.count - target.positiveCount
            for i in kept {
                classification += Double(losses[i])
                let row = logitBase + i * classes
                let lse = Self.logSumExp(classLogits, row, classes)
                for k in 0..<classes {
                    let softmax = Foundation.exp(classLogits[row + k] - lse)
                    result.classLogitsGradient[row + k] = (softmax - (k == target.classes[i] ? 1 : 0)) / n
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

    /// Positives plus the hardest negatives (rank by loss < ratio · positives), in anchor order.
    static func mine(losses: [Float], classes: [Int], ratio: Float) -> [Int] {
        let positives = classes.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let limit = ratio * Float(positives)
        let negatives = HardNegatives.ranked(losses: losses, classes: classes)
        var keep = [Bool](repeating: false, count: classes.count)
        for i in classes.indices where classes[i] > 0 { keep[i] = true }
        for (rank, i) in negatives.enumerated() where Float(rank) < limit { keep[i] = true }
        return classes.indices.filter { keep[$0] }
    }

    /// log Σ exp over `count` values starting at `start`, shifted by the maximum for stability.
    static func logSumExp(_ values: UnsafeBufferPointer<Float>, _ start: Int, _ count: Int) -> Float {
        var m = -Float.infinity
        for k in start..<(start + count) { m = max(m, values[k]) }
        var sum: Float = 0
        for k in start..<(start + count) { sum += Foundation.exp(values[k] - m) }
        return m + Foundation.log(sum)
    }

    static func logSumExp(_ values: [Float], _ start: Int, _ count: Int) -> Float {
        values.withUnsafeBufferPointer { logSumExp($0, start, count) }
    }
}

/// The loss parts and the gradients with respect to the head outputs.
public struct MultiBoxLossResult: Sendable, Equatable {
    /// Σ CE over kept anchors / N.
    public var classification: Float
    /// α · Σ SmoothL1 over positives / N.
    public var localization: Float
    /// Positive anchors in the batch (N before max(1, ·)).
    public var positives: Int
    /// Mined negatives in the batch.
    public var negatives: Int
    /// ∂L/∂logits, same layout as the logits.
    public var classLogitsGradient: [Float]
    /// ∂L/∂regressions, same layout as the regressions.
    public var boxRegressionsGradient: [Float]

    /// classification + localization.
    public var total: Float { classification + localization }
}
