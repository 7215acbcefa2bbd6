import TensorKernelsX86

/// The weights of an INT8 convolution as the tiles of ``Int8Kernel`` read them, and the multiplication of rows of
/// activations by them: `out[rows × columns] = rows · W`, dequantized, biased and clamped in the store.
///
/// Weights are quantized once, symmetrically per output channel (`scale = max|w| / 127`, values −127…127), from a
/// dense `[columns][depth]` matrix (the order of the rows' elements), and packed into the tiles' panels
/// (``TensorKernelsX86``); the AVX2 tile gets an int16 copy.
struct Int8Panels {
    let kernel: Int8Kernel
    /// Elements per row of activations.
    let depth: Int
    /// `depth` rounded up to 4 (the tiles' step).
    let paddedDepth: Int
    /// Output channels.
    let columns: Int
    let packed: [Int8]
    let wide: [Int16]
    /// Each column's sum of quantized weights (the zero-point correction).
    let sums: [Int32]
    let weightScales: [Float]
    let bias: [Float]

    /// Quantizes and packs `dense` (`[columns][depth]` floats) and copies `bias` (`columns` floats, or zeros).
    init(kernel: Int8Kernel, depth: Int, columns: Int, dense: UnsafePointer<Float>, bias: UnsafePointer<Float>?) {
        self.kernel = kernel
        self.depth = depth
        self.columns = columns
        paddedDepth = (depth + 3) / 4 * 4
        var quantized = [Int8](repeating: 0, count: depth * columns)
        var scales = [Float](repeating: 1, count: columns)
        for j in 0..<columns {
            let row = UnsafeBufferPointer(start: dense + j * depth, count: depth)
            let largest = row.reduce(0) { max($0, abs($1)) }
            let scale = largest > 0 && largest.isFinite ? largest / 127 : 1
            scales[j] = scale
            for k in 0..<depth { quantized[j * depth + k] = Int8(max(min((row[k] / scale).rounded(.toNearestOrEven), 127), -127)) }
        }
        weightScales = scales
        var packed = [Int8](repeating: 0, count: ssdd_int8_packed_count(depth, columns))
        var sums = [Int32](repeating: 0, count: columns)
        ssdd_int8_pack_weights(quantized, depth, columns, &packed, &sums)
        self.packed = packed
        self.sums = sums
        var wide: [Int16] = []
        if kernel.widens {
            wide = [Int16](repeating: 0, count: packed.count)
            ssdd_int8_widen(packed, packed.count, &wide)
        }
        self.wide = wide
        self.bias = bias.map { Array(UnsafeBufferPointer(start: $0, count: columns)) } ?? [Float](repeating: 0, count: columns)
    }

    /// Column panels of ``TensorKernelsX86``'s width.
    var panelCount: Int { (columns + Int(SSDD_X86_PANEL) - 1) / Int(SSDD_X86_PANEL) }

    /// Rows of activations that fit `bytes` of cache, in whole register tiles (at least one).
    func rows(fitting bytes: Int) -> Int {
        let tile = kernel.tileRows
        let bytesPerRow = paddedDepth * (kernel.widens ? 2 : 1)
        return max(tile, bytes / bytesPerRow / tile * tile)
    }

    /// `weight scale · activation scale` per column.
    func multipliers(activationScale: Float) -> [Float] { weightScales.map { $0 * activationScale } }

    /// The tiles' store constants from column `firstColumn` on: the weight sums, `multipliers` (indexed from column
    /// 0), the bias, the zero point and the activation's bounds.
    func withEpilogue(
        firstColumn: Int, multipliers: UnsafePointer<Float>, zero: Int32, low: Float, high: Float,
        _ body: (inout ssdd_int8_epilogue) -> Void
    ) {
        sums.withUnsafeBufferPointer { sums in
            bias.withUnsafeBufferPointer { bias in
                var epilogue = ssdd_int8_epilogue(
                    sums: sums.baseAddress! + firstColumn, multipliers: multipliers + firstColumn, bias: bias.baseAddress! + firstColumn,
                    zero: zero, low: low, high: high)
                body(&epilogue)
            }
        }
    }

    /// `count` float rows (`ldx` apart) quantized with `q` into `buffer` (at least ``rows(fitting:)`` × paddedDepth × 2
    /// bytes for `count` rows), then multiplied by column panels `panelRange` into `c` (`ldc` apart, addressed at
    /// column 0).
    func multiply(
        floatRows x: UnsafePointer<Float>, ldx: Int, count: Int, panels panelRange: Range<Int>, quantization q: ActivationQuantization,
        multipliers: UnsafePointer<Float>, low: Float, high: Float, buffer: UnsafeMutableRawPointer, c: UnsafeMutablePointer<Float>,
        ldc: Int
    ) {
        let inverse = 1 / q.scale
        switch kernel {
        case .avx2:
            let a = buffer.assumingMemoryBound(to: Int16.self)
            for r in 0..<count { ssdd_quantize_row_i16_avx2(x + r * ldx, depth, paddedDepth, inverse, q.zero, a + r * paddedDepth) }
            multiply(widened: a, count: count, panels: panelRange, multipliers: multipliers, zero: q.zero, low: low, high: high, c: c, ldc: ldc)
        case .vnni, .reference:
            let a = buffer.assumingMemoryBound(to: UInt8.self)
            for r in 0..<count {
                kernel.quantize(x + r * ldx, count: depth, padded: paddedDepth, inverse: inverse, zero: q.zero, into: a + r * paddedDepth)
            }
            multiply(
                quantized: a, lda: paddedDepth, count: count, panels: panelRange, multipliers: multipliers, zero: q.zero, low: low,
                high: high, c: c, ldc: ldc)
        }
    }

    /// `count` rows already quantized to uint8 (`lda` bytes apart, the padding at the zero point) multiplied by column
    /// panels `panelRange` on the VNNI or reference tile.
    ///
    /// - Important: not for the AVX2 tile, which reads int16 rows.
    func multiply(
        quantized a: UnsafePointer<UInt8>, lda: Int, count: Int, panels panelRange: Range<Int>, multipliers: UnsafePointer<Float>,
        zero: Int32, low: Float, high: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(!kernel.widens, "Int8Panels: the AVX2 tile reads int16 rows")
        let (firstColumn, cols, offset) = columns(of: panelRange)
        if cols <= 0 || count == 0 { return }
        withEpilogue(firstColumn: firstColumn, multipliers: multipliers, zero: zero, low: low, high: high) { epilogue in
            packed.withUnsafeBufferPointer { w in
                if kernel == .vnni {
                    ssdd_int8_gemm_avx512vnni(a, lda, count, depth, w.baseAddress! + offset, cols, &epilogue, c + firstColumn, ldc)
                } else {
                    ssdd_int8_gemm_reference(a, lda, count, depth, w.baseAddress! + offset, cols, &epilogue, c + firstColumn, ldc)
                }
            }
        }
    }

    /// `count` rows of int16 activations (``paddedDepth`` apart) on the AVX2 tile.
    private func multiply(
        widened a: UnsafePointer<Int16>, count: Int, panels panelRange: Range<Int>, multipliers: UnsafePointer<Float>, zero: Int32,
        low: Float, high: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let (firstColumn, cols, offset) = columns(of: panelRange)
        if cols <= 0 || count == 0 { return }
        withEpilogue(firstColumn: firstColumn, multipliers: multipliers, zero: zero, low: low, high: high) { epilogue in
            wide.withUnsafeBufferPointer { w in
                ssdd_int8_gemm_avx2(a, paddedDepth, count, depth, w.baseAddress! + offset, cols, &epilogue, c + firstColumn, ldc)
            }
        }
    }

    /// The first column, the column count and the packed-weight offset of `panelRange`.
    private func columns(of panelRange: Range<Int>) -> (first: Int, count: Int, offset: Int) {
        let panel = Int(SSDD_X86_PANEL)
        let first = panelRange.lowerBound * panel
        let count = min(columns, panelRange.upperBound * panel) - first
        return (first, count, panelRange.lowerBound * (paddedDepth / 4 * panel * 4))
    }
}

extension Int8Kernel {
    /// `count` floats quantized to uint8 (`q = clamp(round(x · inverse) + zero, 0, 255)`) into `out`, then `zero` up
    /// to `padded`: the same bytes with whichever instructions this CPU and kernel have.
    func quantize(
        _ x: UnsafePointer<Float>, count: Int, padded: Int, inverse: Float, zero: Int32, into out: UnsafeMutablePointer<UInt8>
    ) {
        if self == .vnni {
            // VNNI implies AVX-512 F/BW/VL (``CPUPrecisionFeatures``).
            ssdd_quantize_row_u8_avx512(x, count, padded, inverse, zero, out)
        } else if CPUPrecisionFeatures.current.avx2 {
            ssdd_quantize_row_u8_avx2(x, count, padded, inverse, zero, out)
        } else {
            ssdd_quantize_row_u8(x, count, padded, inverse, zero, out)
        }
    }
}
