import Foundation
import ModelStore
import Testing

@testable import Training

/// Sigmoid (TF Object Detection API) SSD loss: a hand-computed case, mining, and gradients against finite differences.
@Suite struct ObjectiveSigmoidLossTests {
    /// One image, 5 anchors, slots (background, person); anchor 1 is a person. Per-anchor losses (targets: negatives
    /// [1, 0], the positive [0, 1]): a0 = a4 = 2·log 2, a2 = log(1+e²) + log(1+e) (hardest), a3 = 2·log(1+e⁻³).
    static let logits: [Float] = [0, 0, 1, 2, -2, 1, 3, -3, 0, 0]
    static let targets = AnchorTargets(
        classes: [0, 1, 0, 0, 0], regressions: [0, 0, 0, 0, 0.5, 1, -0.25, 0.25] + [Float](repeating: 0, count: 12),
        matches: [-1, 0, -1, -1, -1])

    static func softplus(_ x: Double) -> Double { log1p(exp(x)) }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    @Test func elementwiseCrossEntropyIsStable() {
        #expect(SigmoidMultiBoxLoss.crossEntropy(0, target: 1) == Float(log(2.0)))
        #expect(abs(SigmoidMultiBoxLoss.crossEntropy(100, target: 0) - 100) < 1e-4)
        #expect(SigmoidMultiBoxLoss.crossEntropy(-100, target: 0) < 1e-30)
        #expect(SigmoidMultiBoxLoss.sigmoid(-100) >= 0 && SigmoidMultiBoxLoss.sigmoid(100) == 1)
    }

    @Test func miningKeepsTheHardestNegativesStableOnTies() {
        let losses: [Float] = [1.386, 5, 3.44, 0.097, 1.386]
        let classes = Self.targets.classes
        #expect(SigmoidMultiBoxLoss(negativesPerPositive: 1).mine(losses: losses, classes: classes) == [1, 2])
        #expect(SigmoidMultiBoxLoss(negativesPerPositive: 2).mine(losses: losses, classes: classes) == [0, 1, 2])
        #expect(SigmoidMultiBoxLoss(negativesPerPositive: 3).mine(losses: losses, classes: classes) == [0, 1, 2, 4])
        // TF truncates ratio · positives: 1.5 keeps one negative.
        #expect(SigmoidMultiBoxLoss(negativesPerPositive: 1.5).mine(losses: losses, classes: classes) == [1, 2])
        // No positives: none by default, `min_negatives_per_image` otherwise.
        #expect(SigmoidMultiBoxLoss().mine(losses: losses, classes: [0, 0, 0, 0, 0]) == [])
        #expect(SigmoidMultiBoxLoss(minimumNegativesPerImage: 2).mine(losses: losses, classes: [0, 0, 0, 0, 0]) == [1, 2])
    }

    @Test func lossValueAndGradientByHand() {
        let regressions: [Float] = [9, 9, 9, 9, 0.25, 1, 1.75, 0.25] + [Float](repeating: 9, count: 12)
        let result = SigmoidMultiBoxLoss(negativesPerPositive: 2)(
            classLogits: Self.logits, boxRegressions: regressions, targets: [Self.targets], classes: 2)
        // Kept: positive a1 (slot 0 target 0, slot 1 target 1), negatives a2 and a0 (tie with a4, lower index first).
        let a1 = Self.softplus(1) + Self.softplus(-2)
        let a2 = Self.softplus(2) + Self.softplus(1)
        let a0 = 2 * log(2.0)
        #expect(abs(Double(result.classification) - (a1 + a2 + a0)) < 1e-5)
        // Smooth L1 of residuals (−0.25, 0, 2, 0): 0.03125 + 0 + 1.5 + 0; N = 1.
        #expect(abs(result.localization - 1.53125) < 1e-6)
        #expect(result.positives == 1 && result.negatives == 2)
        let expected: [Double] = [
            0.5 - 1, 0.5,  // a0: target [1, 0]
            Self.sigmoid(1), Self.sigmoid(2) - 1,  // a1: target [0, 1]
            Self.sigmoid(-2) - 1, Self.sigmoid(1),  // a2: target [1, 0]
            0, 0, 0, 0,  // a3, a4 not kept
        ]
        for (g, e) in zip(result.classLogitsGradient, expected) { #expect(abs(Double(g) - e) < 1e-6) }
        #expect(result.boxRegressionsGradient[4..<8] == [-0.25, 0, 1, 0])
        #expect(result.boxRegressionsGradient[0..<4].allSatisfy { $0 == 0 }, "negatives have no box loss")
    }

    @Test func noPositivesGivesZeroUnlessMinimumNegatives() {
        let empty = AnchorTargets(classes: [0, 0, 0, 0, 0], regressions: [Float](repeating: 0, count: 20), matches: [Int](repeating: -1, count: 5))
        let regressions = [Float](repeating: 1, count: 20)
        let zero = SigmoidMultiBoxLoss()(classLogits: Self.logits, boxRegressions: regressions, targets: [empty], classes: 2)
        #expect(zero.total == 0 && zero.classLogitsGradient.allSatisfy { $0 == 0 } && zero.boxRegressionsGradient.allSatisfy { $0 == 0 })
        // TF's min_negatives_per_image 3 on a positive-free image: a2, a1 (now background: log(1+e⁻¹) + log(1+e²)),
        // a0 (tie with a4); normalised by max(1, 0).
        let three = SigmoidMultiBoxLoss(minimumNegativesPerImage: 3)(
            classLogits: Self.logits, boxRegressions: regressions, targets: [empty], classes: 2)
        let expected = Self.softplus(2) + Self.softplus(1) + Self.softplus(-1) + Self.softplus(2) + 2 * log(2.0)
        #expect(abs(Double(three.classification) - expected) < 1e-5 && three.localization == 0 && three.negatives == 3)
    }

    @Test func gradientsMatchFiniteDifferences() {
        // Two images, 8 anchors, 3 slots; logits spaced so the mined set is stable under ±h, residuals off the kink.
        let anchors = 8, classes = 3
        var logits: [Float] = []
        for i in 0..<(2 * anchors * classes) { logits.append(Float((i * 37) % 23) / 7 - 1.5) }
        var regressions: [Float] = []
        for i in 0..<(2 * anchors * 4) { regressions.append(Float((i * 13) % 17) / 9 - 0.9) }
        let t0 = AnchorTargets(classes: [0, 2, 0, 0, 1, 0, 0, 0], regressions: (0..<32).map { Float(($0 * 7) % 11) / 5 - 1 }, matches: [])
        let t1 = AnchorTargets(classes: [1, 0, 0, 0, 0, 0, 0, 0], regressions: (0..<32).map { Float(($0 * 5) % 13) / 6 - 1 }, matches: [])
        let loss = SigmoidMultiBoxLoss()
        let base = loss(classLogits: logits, boxRegressions: regressions, targets: [t0, t1], classes: classes)
        #expect(base.negatives == 9 && base.positives == 3)
        let h: Float = 1e-2
        func total(_ l: [Float], _ r: [Float]) -> Double {
            Double(loss(classLogits: l, boxRegressions: r, targets: [t0, t1], classes: classes).total)
        }
        for i in logits.indices {
            var plus = logits, minus = logits
            plus[i] += h
            minus[i] -= h
            let numeric = (total(plus, regressions) - total(minus, regressions)) / Double(2 * h)
            #expect(
                abs(numeric - Double(base.classLogitsGradient[i])) < 2e-3, "logit \(i): numeric \(numeric), analytic \(base.classLogitsGradient[i])")
        }
        for i in regressions.indices {
            var plus = regressions, minus = regressions
            plus[i] += h
            minus[i] -= h
            let numeric = (total(logits, plus) - total(logits, minus)) / Double(2 * h)
            #expect(
                abs(numeric - Double(base.boxRegressionsGradient[i])) < 2e-3,
                "regression \(i): numeric \(numeric), analytic \(base.boxRegressionsGradient[i])")
        }
    }

    @Test func objectiveFollowsTheManifestScoring() {
        guard case .sigmoid(let sigmoid) = DetectionObjective(scoring: .sigmoid, negativesPerPositive: 3) else {
            Issue.record("sigmoid scoring must train with the sigmoid loss")
            return
        }
        #expect(sigmoid.negativesPerPositive == 3)
        guard case .softmax = DetectionObjective(scoring: .softmax, negativesPerPositive: 3) else {
            Issue.record("softmax scoring must train with MultiBoxLoss")
            return
        }
    }
}
