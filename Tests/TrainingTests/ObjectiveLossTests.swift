import Foundation
import Testing

@testable import Training

/// MultiBox loss: hand-computed mining and values, and gradients against central finite differences.
@Suite struct ObjectiveLossTests {
    /// One image, 6 anchors, 2 classes; anchor 1 is positive (class 1). Background CE of anchor i is
    /// log(1 + e^{z_i}) for logits (0, z_i), so larger z ranks harder.
    static let logits: [Float] = [0, 2, 0, 0.5, 0, 3, 0, -1, 0, 3, 0, 1]
    static let targets = AnchorTargets(
        classes: [0, 1, 0, 0, 0, 0], regressions: [0, 0, 0, 0, 0.5, -0.5, 2, -3] + [Float](repeating: 0, count: 16),
        matches: [-1, 0, -1, -1, -1, -1])

    @Test func miningKeepsTheHardestNegativesStableOnTies() {
        // Negatives' CE: a0 log(1+e^2), a2 log(1+e^3), a3 log(1+e^-1), a4 log(1+e^3), a5 log(1+e^1).
        // Ratio 3, 1 positive: ranks 0…2 = a2, a4 (tie, lower index first), a0.
        let losses = (0..<6).map { i -> Float in
            let row = Array(Self.logits[(2 * i)..<(2 * i + 2)])
            return MultiBoxLoss.logSumExp(row, 0, 2) - row[Self.targets.classes[i]]
        }
        #expect(MultiBoxLoss.mine(losses: losses, classes: Self.targets.classes, ratio: 3) == [0, 1, 2, 4])
        // torchvision compares ranks with the float ratio·positives: rank < 1.5 keeps two negatives.
        #expect(MultiBoxLoss.mine(losses: losses, classes: Self.targets.classes, ratio: 1.5) == [1, 2, 4])
        // No positive: no negatives either.
        #expect(MultiBoxLoss.mine(losses: losses, classes: [0, 0, 0, 0, 0, 0], ratio: 3) == [])
    }

    @Test func lossValueByHand() {
        let regressions: [Float] = [0, 0, 0, 0, 0.75, -0.5, 0, 0] + [Float](repeating: 0, count: 16)
        let result = MultiBoxLoss()(classLogits: Self.logits, boxRegressions: regressions, targets: [Self.targets], classes: 2)
        // CE: positive a1 log(1+e^-0.5); negatives a0, a2, a4.
        let ce = log1p(exp(-0.5)) + log1p(exp(2)) + 2 * log1p(exp(3))
        // Smooth L1 of (0.25, 0, −2, 3): 0.5·0.0625 + 0 + 1.5 + 2.5.
        #expect(abs(Double(result.classification) - ce) < 1e-5)
        #expect(abs(result.localization - 4.03125) < 1e-5)
        #expect(result.positives == 1 && result.negatives == 3)
        #expect(result.boxRegressionsGradient[4..<8] == [0.25, 0, -1, 1])
        #expect(result.classLogitsGradient[6..<8] == [0, 0], "anchor 3 is not kept")
    }

    @Test func noPositivesGivesZero() {
        let empty = AnchorTargets(
            classes: [0, 0, 0, 0, 0, 0], regressions: [Float](repeating: 0, count: 24), matches: [Int](repeating: -1, count: 6))
        let result = MultiBoxLoss()(classLogits: Self.logits, boxRegressions: [Float](repeating: 1, count: 24), targets: [empty], classes: 2)
        #expect(result.total == 0 && result.classLogitsGradient.allSatisfy { $0 == 0 } && result.boxRegressionsGradient.allSatisfy { $0 == 0 })
    }

    @Test func gradientsMatchFiniteDifferences() {
        // Two images, 8 anchors, 4 classes; logits spaced so the mined set is stable under ±h, and regression
        // residuals away from the smooth-L1 kink at |x| = 1.
        let anchors = 8, classes = 4
        var logits: [Float] = []
        for i in 0..<(2 * anchors * classes) { logits.append(Float((i * 37) % 23) / 7 - 1.5) }
        var regressions: [Float] = []
        for i in 0..<(2 * anchors * 4) { regressions.append(Float((i * 13) % 17) / 9 - 0.9) }
        let t0 = AnchorTargets(
            classes: [0, 2, 0, 0, 3, 0, 0, 0], regressions: (0..<32).map { Float(($0 * 7) % 11) / 5 - 1 }, matches: [])
        let t1 = AnchorTargets(
            classes: [1, 0, 0, 0, 0, 0, 0, 0], regressions: (0..<32).map { Float(($0 * 5) % 13) / 6 - 1 }, matches: [])
        let loss = MultiBoxLoss()
        let base = loss(classLogits: logits, boxRegressions: regressions, targets: [t0, t1], classes: classes)
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
}
