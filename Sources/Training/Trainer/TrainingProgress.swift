import Foundation

/// One progress report: means over the steps since the previous report.
public struct TrainingProgress: Sendable, Equatable {
    /// Optimizer steps completed.
    public var iteration: Int
    public var iterations: Int
    /// Mean total loss (classification + localization).
    public var loss: Float
    public var classification: Float
    public var localization: Float
    /// Mean positive anchors per micro-batch.
    public var positives: Float
    /// The rate of the latest step.
    public var learningRate: Float
    /// Training images per second over the interval (wall clock, data waits included).
    public var imagesPerSecond: Double

    /// `iter 120/2000 loss 2.3456 (cls 1.2345 loc 1.1111) pos 41.0 lr 0.001000 12.3 img/s`.
    public var line: String {
        func f(_ x: Float, _ digits: Int) -> String { String(format: "%.\(digits)f", Double(x)) }
        return "iter \(iteration)/\(iterations) loss \(f(loss, 4)) (cls \(f(classification, 4)) loc \(f(localization, 4))) "
            + "pos \(f(positives, 1)) lr \(String(format: "%.6f", Double(learningRate))) \(String(format: "%.1f", imagesPerSecond)) img/s"
    }
}

/// What a finished ``Trainer/train(source:progress:)`` did.
public struct TrainingSummary: Sendable, Equatable {
    /// Steps run by this call (a resumed run counts only its own).
    public var steps: Int
    /// The iteration reached.
    public var finalIteration: Int
    public var images: Int
    public var seconds: Double
    /// Every progress report of the run, in order (the loss curve).
    public var reports: [TrainingProgress]

    public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }

    /// `trained 2000 steps (16000 images) in 812.3 s, 19.7 img/s; loss 9.8765 → 1.2345`.
    public var line: String {
        let first = reports.first.map { String(format: "%.4f", Double($0.loss)) } ?? "-"
        let last = reports.last.map { String(format: "%.4f", Double($0.loss)) } ?? "-"
        return "trained \(steps) steps (\(images) images) in \(String(format: "%.1f", seconds)) s, "
            + "\(String(format: "%.1f", imagesPerSecond)) img/s; loss \(first) → \(last)"
    }
}
