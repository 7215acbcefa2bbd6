import ModelStore

/// What a Caffe blob name stands for while a prototxt is converted.
///
/// The network part becomes engine values (`feature`); the SSD head plumbing (Permute, Flatten, Concat, Reshape,
/// Softmax, PriorBox) is not executed but followed symbolically, so that DetectionOutput's inputs can be traced back
/// to the convolutions and PriorBox layers of each level.
enum CaffeValue {
    /// An engine value (NHWC) by name: the network input or a node's output.
    case feature(String)
    /// A feature permuted from NCHW to NHWC (`Permute` order 0, 2, 3, 1).
    case permuted(String)
    /// Permuted features flattened and concatenated along axis 1, in level order.
    case flattened([String])
    /// Flattened class logits reshaped to [N, anchors, classes].
    case reshapedScores([String], classes: Int)
    /// Softmax probabilities of reshaped class logits (flattened again or not).
    case scores([String], classes: Int)
    /// PriorBox layers, concatenated along axis 2 in level order.
    case priors([CaffePriorBox])

    /// Short description for errors.
    var kind: String {
        switch self {
        case .feature: return "a feature map"
        case .permuted: return "a permuted head output"
        case .flattened: return "flattened head outputs"
        case .reshapedScores: return "reshaped class scores"
        case .scores: return "softmax class scores"
        case .priors: return "prior boxes"
        }
    }
}
