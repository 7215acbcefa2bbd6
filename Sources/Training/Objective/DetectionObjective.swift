import ModelStore

/// The training objective a model's scoring calls for: ``MultiBoxLoss`` (softmax cross-entropy, torchvision/Caffe)
/// for `.softmax`, ``SigmoidMultiBoxLoss`` (per-slot sigmoid cross-entropy, TF Object Detection API) for `.sigmoid`.
public enum DetectionObjective: Sendable {
    case softmax(MultiBoxLoss)
    case sigmoid(SigmoidMultiBoxLoss)

    /// The objective matching `scoring`, keeping `negativesPerPositive` hard negatives per positive.
    public init(scoring: Scoring, negativesPerPositive: Float) {
        switch scoring {
        case .softmax: self = .softmax(MultiBoxLoss(negativesPerPositive: negativesPerPositive))
        case .sigmoid: self = .sigmoid(SigmoidMultiBoxLoss(negativesPerPositive: negativesPerPositive))
        }
    }

    /// Loss and gradients for a batch (layouts as ``MultiBoxLoss``).
    public func callAsFunction(classLogits: [Float], boxRegressions: [Float], targets: [AnchorTargets], classes: Int) -> MultiBoxLossResult {
        switch self {
        case .softmax(let loss): loss(classLogits: classLogits, boxRegressions: boxRegressions, targets: targets, classes: classes)
        case .sigmoid(let loss): loss(classLogits: classLogits, boxRegressions: boxRegressions, targets: targets, classes: classes)
        }
    }
}
