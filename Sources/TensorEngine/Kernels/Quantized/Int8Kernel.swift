import TensorKernelsX86

/// The INT8 GEMM tiles of ``TensorKernelsX86``, all computing the same integers (`Σ u8·s8` in int32) and the same
/// store, so their outputs are bit-identical: tests compare each against ``reference``.
public enum Int8Kernel: String, Sendable, CaseIterable {
    /// Scalar C: runs everywhere.
    case reference
    /// AVX2 `vpmaddwd` on values widened to int16.
    case avx2
    /// AVX-512 VNNI `vpdpbusd`.
    case vnni

    /// The fastest tile this CPU runs.
    public static var preferred: Int8Kernel {
        let cpu = CPUPrecisionFeatures.current
        return cpu.vnni ? .vnni : (cpu.avx2 ? .avx2 : .reference)
    }

    /// Whether this CPU can run the tile.
    public var isAvailable: Bool {
        switch self {
        case .reference: return true
        case .avx2: return CPUPrecisionFeatures.current.avx2
        case .vnni: return CPUPrecisionFeatures.current.vnni
        }
    }

    /// Register-tile rows: chunks of a multiple of this waste no rows.
    var tileRows: Int {
        switch self {
        case .reference: return 1
        case .avx2: return 3
        case .vnni: return 8
        }
    }

    /// Whether the tile reads int16 activations and weights (else uint8 activations, int8 weights).
    var widens: Bool { self == .avx2 }
}

/// Per-tensor affine quantization of activations to uint8: `q = clamp(round(x / scale) + zero, 0, 255)`.
public struct ActivationQuantization: Sendable, Equatable {
    /// Real value of one step.
    public let scale: Float
    /// The uint8 value of 0.0.
    public let zero: Int32

    /// The quantization covering `low…high` (widened to include 0, so zero padding and ReLU outputs are exact). A
    /// non-finite or empty range gives scale 1 (every value then quantizes to its clamp).
    public init(low: Float, high: Float) {
        let lo = min(low.isFinite ? low : -Float.greatestFiniteMagnitude / 512, 0)
        let hi = max(high.isFinite ? high : Float.greatestFiniteMagnitude / 512, 0)
        var step = (hi - lo) / 255
        if !(step > 0) || !step.isFinite { step = 1 }
        scale = step
        zero = Int32(min(max((-lo / step).rounded(.toNearestOrEven), 0), 255))
    }
}

/// The range of a convolution's input seen during calibration (`ssdd model calibrate`).
public struct ActivationRange: Sendable, Equatable, Codable {
    public var low: Float
    public var high: Float

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }
}
