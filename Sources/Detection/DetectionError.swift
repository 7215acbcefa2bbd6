/// Errors of the detection stage: model configurations we cannot run and outputs that do not fit the anchors.
public enum DetectionError: Error, Equatable, CustomStringConvertible {
    /// The model's default-box configuration is not one we can generate.
    case unsupportedAnchors(String)
    /// Network outputs disagree with the anchors or the manifest.
    case outputMismatch(String)
    /// The model file cannot be used as a detector (missing heads, bad preprocessing).
    case invalidModel(String)

    public var description: String {
        switch self {
        case .unsupportedAnchors(let what): return "unsupported default boxes: \(what)"
        case .outputMismatch(let what): return "network outputs do not match the model's anchors: \(what)"
        case .invalidModel(let what): return "the model cannot be used as a detector: \(what)"
        }
    }
}
