import TensorKernelsX86

/// The BF16 tiles of ``TensorKernelsX86``: the same arithmetic (bf16 inputs, exact products, float32 sums in
/// `vdpbf16ps`'s order), so tests compare the instruction's tile with the scalar reference.
public enum BF16Kernel: String, Sendable, CaseIterable {
    /// Scalar C: runs everywhere (tests).
    case reference
    /// AVX-512 BF16 `vdpbf16ps` (8 rows × 32 columns per register tile), activations rounded by `vcvtne2ps2bf16`.
    case avx512bf16

    /// The `vdpbf16ps` tile where this CPU has AVX-512 BF16, else nil. The engine uses it only where ``Precision/bf16``
    /// resolves to bf16 (``CPUPrecisionFeatures/bf16Pays``); tests use it wherever it runs.
    public static var preferred: BF16Kernel? { CPUPrecisionFeatures.current.bf16 ? .avx512bf16 : nil }

    /// Whether this CPU can run the tile.
    public var isAvailable: Bool { self == .reference || CPUPrecisionFeatures.current.bf16 }

    /// Register-tile rows: chunks of a multiple of this waste no rows.
    var tileRows: Int { self == .reference ? 1 : 8 }
}

/// Weights of a GEMM `X[rows × depth] · W[depth × columns]` rounded to bf16 (nearest, ties to even) and packed once into
/// the tile's panels of 16 columns × channel pairs, with the kernel that multiplies them.
struct BF16Panels {
    let kernel: BF16Kernel
    let depth: Int
    /// `depth` rounded up to even: the row length of bf16 activations.
    let paddedDepth: Int
    let columns: Int
    let packed: [UInt16]

    /// Packs `w`, read as `w[column * columnStride + k * depthStride]`.
    init(kernel: BF16Kernel, depth: Int, columns: Int, columnStride: Int, depthStride: Int, _ w: UnsafePointer<Float>) {
        precondition(kernel.isAvailable, "BF16Panels: \(kernel) does not run on this CPU")
        precondition(depth > 0 && columns > 0, "BF16Panels: depth \(depth), columns \(columns)")
        self.kernel = kernel
        self.depth = depth
        paddedDepth = (depth + 1) / 2 * 2
        self.columns = columns
        var dense = [Float](repeating: 0, count: depth * columns)
        for j in 0..<columns {
            for k in 0..<depth { dense[j * depth + k] = w[j * columnStride + k * depthStride] }
        }
        var packed = [UInt16](repeating: 0, count: ssdd_bf16_packed_count(depth, columns))
        ssdd_bf16_pack_weights(dense, depth, columns, &packed)
        self.packed = packed
    }

    /// Elements of one 16-column panel.
    var panelStride: Int { paddedDepth * Int(SSDD_X86_PANEL) }

    /// `rows` rows of `depth` floats (`ldx` apart) rounded to bf16 into `out` (`[rows][paddedDepth]`).
    func convert(_ x: UnsafePointer<Float>, ldx: Int, rows: Int, into out: UnsafeMutablePointer<UInt16>) {
        if kernel == .avx512bf16 {
            ssdd_bf16_convert_rows_avx512bf16(x, ldx, rows, depth, paddedDepth, out)
        } else {
            ssdd_bf16_convert_rows(x, ldx, rows, depth, paddedDepth, out)
        }
    }

    /// `c[r][j] = clamp(bias[j] + a[r] · W[·][firstColumn + j], low, high)` for `r < rows`, `j < cols`; `a` is bf16
    /// (`[rows][lda]`, from ``convert(_:ldx:rows:into:)``), `firstColumn` a multiple of 16, `bias` starts at
    /// `firstColumn`'s.
    func multiply(
        _ a: UnsafePointer<UInt16>, lda: Int, rows: Int, firstColumn: Int, cols: Int, bias: UnsafePointer<Float>, low: Float,
        high: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(firstColumn % Int(SSDD_X86_PANEL) == 0 && firstColumn + cols <= columns, "BF16Panels: columns")
        packed.withUnsafeBufferPointer { w in
            let b = w.baseAddress! + firstColumn / Int(SSDD_X86_PANEL) * panelStride
            if kernel == .avx512bf16 {
                ssdd_bf16_gemm_avx512bf16(a, lda, rows, depth, b, cols, bias, low, high, c, ldc)
            } else {
                ssdd_bf16_gemm_reference(a, lda, rows, depth, b, cols, bias, low, high, c, ldc)
            }
        }
    }
}
