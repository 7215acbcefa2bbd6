import Foundation

/// How far a reduced precision's raw network outputs are from fp32's (issue 15's accuracy report, alongside
/// ``PrecisionComparison``): the relative RMS error `‖reduced − fp32‖ / ‖fp32‖` and the largest `|reduced − fp32|`
/// over every value added. It needs no trained weights and no threshold, so it measures models whose detections say
/// little (SSD300 with torchvision's random initialisation). Pairs where either value is not finite are counted
/// apart (``nonFinite``), not in the sums.
public struct OutputDeviation: Sendable, Equatable {
    /// Σ (reduced − fp32)².
    public private(set) var squaredError: Double = 0
    /// Σ fp32².
    public private(set) var squaredReference: Double = 0
    /// The largest |reduced − fp32|.
    public private(set) var maximumError: Float = 0
    /// Finite pairs added.
    public private(set) var count = 0
    /// Pairs skipped because a value was NaN or infinite.
    public private(set) var nonFinite = 0

    public init() {}

    /// Adds the outputs of one image, element by element.
    ///
    /// - Precondition: both hold the same number of values.
    public mutating func add(reference: [Float], reduced: [Float]) {
        precondition(reference.count == reduced.count, "OutputDeviation: \(reference.count) values against \(reduced.count)")
        for (r, x) in zip(reference, reduced) {
            guard r.isFinite && x.isFinite else {
                nonFinite += 1
                continue
            }
            let d = Double(x) - Double(r)
            squaredError += d * d
            squaredReference += Double(r) * Double(r)
            maximumError = max(maximumError, abs(x - r))
            count += 1
        }
    }

    /// `‖reduced − fp32‖ / ‖fp32‖` (0 with nothing added; infinite if fp32's outputs are all zero and the others not).
    public var relativeError: Double {
        if squaredError == 0 { return 0 }
        return squaredReference > 0 ? (squaredError / squaredReference).squareRoot() : .infinity
    }

    /// `relative error 0.0123, max |Δ| 0.456` (and the non-finite pairs, if any).
    public var summary: String {
        "relative error \(String(format: "%.4f", relativeError)), max |Δ| \(String(format: "%.4f", maximumError))"
            + (nonFinite > 0 ? ", \(nonFinite) non-finite" : "")
    }
}
