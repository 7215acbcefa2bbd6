/// An expansion or projection of a fused inverted-residual block (``InvertedResidualFusion``): the float32 tiled GEMM,
/// or the INT8 kernel when its input range is calibrated. Both compute any range of output pixels by themselves, so a
/// band computes just the rows it needs, with the results of the whole-map run bit for bit. (Dynamic INT8
/// quantization reads the whole input's range first, so it cannot run band by band.)
enum PointwiseStage {
    case tiled(TiledGEMMConvolution)
    /// An INT8 1×1 convolution with a calibrated input range (``Int8PointwiseConvolution/calibration`` not nil).
    case int8(Int8PointwiseConvolution)

    /// The stage for `kernel`, or nil when it cannot run band by band.
    init?(_ kernel: Convolution2D.Kernel) {
        switch kernel {
        case .tiledGEMM(let t): self = .tiled(t)
        case .int8Pointwise(let q) where q.calibration != nil: self = .int8(q)
        default: return nil
        }
    }

    var geometry: ConvolutionGeometry {
        switch self {
        case .tiled(let t): t.geometry
        case .int8(let q): q.geometry
        }
    }

    /// Whether the input is read directly as the GEMM's rows (a 1×1, stride-1, unpadded convolution).
    var isPointwise: Bool {
        switch self {
        case .tiled(let t): t.isPointwise
        case .int8: true
        }
    }

    /// Output pixels `rows` (every channel) of the convolution of the whole map at `input` into `output`, both
    /// addressed as whole maps.
    @inline(__always)
    func compute(rows: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        switch self {
        case .tiled(let t): t.compute(rows: rows, panels: 0..<t.panels, input: input, output: output)
        case .int8(let q): q.computeCalibrated(rows: rows, input: input, output: output)
        }
    }

    /// The whole map, split across `pool`.
    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        switch self {
        case .tiled(let t): t.run(input: input, output: output, pool: pool)
        case .int8(let q): q.run(input: input, output: output, pool: pool)
        }
    }
}
