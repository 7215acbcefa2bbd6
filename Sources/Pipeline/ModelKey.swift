import Logging
import TensorEngine

/// A compiled detector's identity in the daemon: the model file and the precision its network runs in. Streams that
/// share both share the detector (and its weights); streams of one file in two precisions get one each.
struct ModelKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    var path: String
    var precision: Precision

    static func < (a: ModelKey, b: ModelKey) -> Bool { (a.path, a.precision.rawValue) < (b.path, b.precision.rawValue) }

    /// The path, with the precision when it is not fp32 (`models/person.safetensors (int8)`), for logs and messages.
    var description: String { precision == .fp32 ? path : "\(path) (\(precision.rawValue))" }

    /// The precision this CPU runs, after logging the fallback warning (one line per model) if there is one.
    func effectivePrecision(logger: Logger) -> Precision {
        let resolution = precision.resolved()
        if let warning = resolution.warning { logger.warning("\(warning)", metadata: ["model": "\(path)"]) }
        return resolution.effective
    }
}

extension DaemonConfiguration {
    /// The model file and precision `stream` runs with.
    func modelKey(for stream: StreamConfiguration) -> ModelKey {
        ModelKey(path: stream.model ?? modelPath, precision: stream.precision ?? modelPrecision)
    }
}
