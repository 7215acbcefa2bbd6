import NeuralNet
import TensorEngine

/// The activation ranges `ssdd model calibrate` measured on a model's fp32 network, stored in the manifest
/// (`calibration`) so INT8 (`precision = "int8"`) quantizes each 1×1 convolution's input with a fixed scale and zero
/// point (``TensorEngine/ActivationQuantization``).
///
/// Ranges are the minimum and maximum seen over all calibration images (`method` = `minmax`): with a handful of images
/// a percentile is a noisy estimate, and most inputs of SSDLite's pointwise convolutions are ReLU6 outputs, whose
/// range [0, 6] the extremes find exactly.
public struct ModelCalibration: Codable, Sendable, Equatable {
    /// The range statistic; `minmax` is the only one.
    public var method: String
    /// Images the ranges were measured on.
    public var images: Int
    /// Input range of each convolution, by graph node name.
    public var ranges: [String: ActivationRange]

    /// The statistic this build writes and reads.
    public static let minMax = "minmax"
    /// Largest magnitude a range end may have: float32 activations of a sane network stay far below it.
    public static let largestMagnitude: Float = 1e6

    public init(method: String = ModelCalibration.minMax, images: Int, ranges: [String: ActivationRange]) {
        self.method = method
        self.images = images
        self.ranges = ranges
    }

    /// Checks every value: the method, a positive image count, and for each range a convolution node of `graph`
    /// and finite ends `low ≤ high` within ±``largestMagnitude``.
    ///
    /// - Throws: ``ModelStoreError/invalidCalibration(file:key:reason:)`` naming the key (`calibration.ranges.<node>`).
    public func validate(graph: NetworkGraph, file: String) throws(ModelStoreError) {
        guard method == Self.minMax else {
            throw .invalidCalibration(file: file, key: "calibration.method", reason: "is '\(method)', expected '\(Self.minMax)'")
        }
        guard images >= 1 else { throw .invalidCalibration(file: file, key: "calibration.images", reason: "is \(images), expected ≥ 1") }
        var convolutions = Set<String>()
        for node in graph.nodes { if case .convolution = node.operation { convolutions.insert(node.name) } }
        for (name, range) in ranges.sorted(by: { $0.key < $1.key }) {
            let key = "calibration.ranges.\(name)"
            guard convolutions.contains(name) else {
                throw .invalidCalibration(file: file, key: key, reason: "names no convolution node of the graph")
            }
            for (end, value) in [("low", range.low), ("high", range.high)] where !value.isFinite || abs(value) > Self.largestMagnitude {
                throw .invalidCalibration(file: file, key: "\(key).\(end)", reason: "is \(value), expected a finite value within ±1e6")
            }
            guard range.low <= range.high else {
                throw .invalidCalibration(file: file, key: key, reason: "has low \(range.low) above high \(range.high)")
            }
        }
    }
}
