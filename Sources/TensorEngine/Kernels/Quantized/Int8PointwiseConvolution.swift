import TensorKernelsX86

/// A 1×1, stride-1, unpadded, ungrouped convolution in INT8 (``Precision/int8``): `out[P × Cout] = X[P × Cin] · W`.
///
/// Weights are quantized once, symmetrically per output channel (`scale = max|w| / 127`, values −127…127), and packed
/// into the tile's panels (``TensorKernelsX86``). Activations are quantized per tensor to uint8 with a zero point,
/// chunk by chunk into a buffer owned by the task, from the calibrated range when the model has one
/// (``ActivationQuantization``), else from the input's own minimum and maximum on every call (dynamic quantization:
/// one extra pass over the input). Sums are int32; the store subtracts `zero · Σw`, scales by
/// `weight scale · activation scale`, adds the bias and clamps (the fused activation) in float32.
public final class Int8PointwiseConvolution {
    public let geometry: ConvolutionGeometry
    public let activation: FusedActivation
    public let kernel: Int8Kernel
    /// The calibrated activation quantization, or nil for dynamic quantization.
    public let calibration: ActivationQuantization?
    let depth: Int
    /// `depth` rounded up to 4 (the tiles' step).
    let paddedDepth: Int
    let columns: Int
    let packed: [Int8]
    let wide: [Int16]
    let sums: [Int32]
    let weightScales: [Float]
    let bias: [Float]
    /// Rows of activations quantized at a time (fits L1 with the panel being swept).
    let chunkRows: Int
    /// `weight scale · calibrated activation scale` per output channel (empty without a calibration).
    let calibratedMultipliers: [Float]

    /// Whether the INT8 path runs `g`.
    public static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideY == 1 && g.strideX == 1 && g.padding == .zero
            && g.inputChannels <= 1 << 16
    }

    /// Quantizes and packs OIHW `weights` (`[Cout, Cin, 1, 1]`).
    ///
    /// - Important: `geometry` must satisfy ``supports(_:)`` and `kernel` must be available on this CPU.
    public init(
        geometry g: ConvolutionGeometry, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation,
        calibration: ActivationQuantization?, kernel: Int8Kernel = .preferred
    ) {
        precondition(Self.supports(g), "Int8PointwiseConvolution: unsupported geometry \(g)")
        precondition(kernel.isAvailable, "Int8PointwiseConvolution: \(kernel) does not run on this CPU")
        geometry = g
        self.activation = activation
        self.kernel = kernel
        self.calibration = calibration
        depth = g.inputChannels
        paddedDepth = (depth + 3) / 4 * 4
        columns = g.outputChannels
        var quantized = [Int8](repeating: 0, count: depth * columns)
        var scales = [Float](repeating: 1, count: columns)
        for j in 0..<columns {
            let row = UnsafeBufferPointer(start: weights + j * depth, count: depth)
            let largest = row.reduce(0) { max($0, abs($1)) }
            let scale = largest > 0 && largest.isFinite ? largest / 127 : 1
            scales[j] = scale
            for k in 0..<depth { quantized[j * depth + k] = Int8(max(min((row[k] / scale).rounded(.toNearestOrEven), 127), -127)) }
        }
        weightScales = scales
        calibratedMultipliers = calibration.map { q in scales.map { $0 * q.scale } } ?? []
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
        self.bias = bias.map { Array(UnsafeBufferPointer(start: $0, count: g.outputChannels)) } ?? [Float](repeating: 0, count: columns)
        let bytesPerRow = paddedDepth * (kernel.widens ? 2 : 1)
        let tile = kernel.tileRows
        chunkRows = max(tile, min(24 * 1024 / bytesPerRow / tile * tile, 96))
    }

    /// Convolves `[H, W, Cin]` at `input` into `[H, W, Cout]` at `output`.
    public func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let rows = geometry.outputHeight * geometry.outputWidth
        let quantization = calibration ?? dynamicQuantization(input, count: rows * depth, pool: pool)
        let multipliers = calibration == nil ? weightScales.map { $0 * quantization.scale } : calibratedMultipliers
        let (low, high) = activation.clampBounds
        let threads = pool.threadCount
        let panels = (columns + Int(SSDD_X86_PANEL) - 1) / Int(SSDD_X86_PANEL)
        multipliers.withUnsafeBufferPointer { m in
            let parts: Int
            let byRows: Bool
            if threads == 1 || rows * depth * columns < 1 << 18 {
                parts = 1
                byRows = true
            } else if rows >= 8 * threads * kernel.tileRows || panels < 2 {
                parts = min(4 * threads, max(1, rows / (2 * kernel.tileRows)))
                byRows = true
            } else {
                // Every part quantizes all the rows it multiplies: one part per thread, so the rows are quantized once
                // per thread, not once per part (4 × threads parts quantized the 10×10 maps' rows 8 times at 2 threads).
                parts = min(threads, panels)
                byRows = false
            }
            let work = { (part: Int) in
                let rowRange = byRows ? (rows * part / parts)..<(rows * (part + 1) / parts) : 0..<rows
                let panelRange = byRows ? 0..<panels : (panels * part / parts)..<(panels * (part + 1) / parts)
                self.compute(
                    rows: rowRange, panels: panelRange, input: input, output: output, quantization: quantization,
                    multipliers: m.baseAddress!, low: low, high: high)
            }
            if parts == 1 { work(0) } else { pool.run(tasks: parts, work) }
        }
    }

    /// Output pixels `rows`, every channel, with the calibrated quantization: what ``run(input:output:pool:)`` gives
    /// for them, bit for bit (a fused block computes its bands with it).
    ///
    /// - Important: only for a convolution with a ``calibration``.
    func computeCalibrated(rows: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        guard let calibration else { preconditionFailure("Int8PointwiseConvolution: rows of a dynamically quantized convolution") }
        let (low, high) = activation.clampBounds
        let panels = (columns + Int(SSDD_X86_PANEL) - 1) / Int(SSDD_X86_PANEL)
        calibratedMultipliers.withUnsafeBufferPointer { m in
            compute(
                rows: rows, panels: 0..<panels, input: input, output: output, quantization: calibration, multipliers: m.baseAddress!,
                low: low, high: high)
        }
    }

    /// Whether ``computeQuantized(rows:input:output:)`` runs here: a calibrated convolution on the VNNI tile.
    var takesQuantizedInput: Bool { calibration != nil && kernel == .vnni }

    /// ``computeCalibrated(rows:input:output:)`` on input already quantized with the calibration (`input` addresses the
    /// whole map, ``paddedDepth`` bytes per pixel, padding at the zero point): the same bytes reach the tile, so the same
    /// results, without the quantization pass.
    ///
    /// - Important: only where ``takesQuantizedInput``.
    func computeQuantized(rows: Range<Int>, input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<Float>) {
        guard let calibration, kernel == .vnni else { preconditionFailure("Int8PointwiseConvolution: quantized input needs the VNNI tile") }
        let (low, high) = activation.clampBounds
        calibratedMultipliers.withUnsafeBufferPointer { m in
            withEpilogue(firstColumn: 0, multipliers: m.baseAddress!, zero: calibration.zero, low: low, high: high) { epilogue in
                packed.withUnsafeBufferPointer { w in
                    // Chunks of rows as when quantizing: each stays in L1 while the tile sweeps the panels.
                    var start = rows.lowerBound
                    while start < rows.upperBound {
                        let count = min(chunkRows, rows.upperBound - start)
                        ssdd_int8_gemm_avx512vnni(
                            input + start * paddedDepth, paddedDepth, count, depth, w.baseAddress!, columns, &epilogue,
                            output + start * columns, columns)
                        start += count
                    }
                }
            }
        }
    }

    /// The tiles' store constants from output column `firstColumn` on: the weight sums, `multipliers` (indexed from
    /// column 0), the bias, the zero point and the activation's bounds.
    private func withEpilogue(
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

    /// Rows `rows` × panels `panelRange`: quantize a chunk of rows, then the tile over the panels.
    func compute(
        rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        quantization q: ActivationQuantization, multipliers: UnsafePointer<Float>, low: Float, high: Float
    ) {
        if rows.isEmpty || panelRange.isEmpty { return }
        let panel = Int(SSDD_X86_PANEL)
        let firstColumn = panelRange.lowerBound * panel
        let cols = min(columns, panelRange.upperBound * panel) - firstColumn
        let panelStride = paddedDepth / 4 * panel * 4
        let inverse = 1 / q.scale
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkRows * paddedDepth * 2, alignment: 64)
        defer { buffer.deallocate() }
        withEpilogue(firstColumn: firstColumn, multipliers: multipliers, zero: q.zero, low: low, high: high) { epilogue in
            var start = rows.lowerBound
            while start < rows.upperBound {
                let count = min(chunkRows, rows.upperBound - start)
                let c = output + start * columns + firstColumn
                switch kernel {
                case .avx2:
                    let a = buffer.assumingMemoryBound(to: Int16.self)
                    for r in 0..<count {
                        ssdd_quantize_row_i16_avx2(input + (start + r) * depth, depth, paddedDepth, inverse, q.zero, a + r * paddedDepth)
                    }
                    wide.withUnsafeBufferPointer { w in
                        ssdd_int8_gemm_avx2(
                            a, paddedDepth, count, depth, w.baseAddress! + panelRange.lowerBound * panelStride, cols, &epilogue, c, columns)
                    }
                case .vnni, .reference:
                    let a = buffer.assumingMemoryBound(to: UInt8.self)
                    for r in 0..<count {
                        let row = input + (start + r) * depth, out = a + r * paddedDepth
                        if kernel == .vnni {
                            // VNNI implies AVX-512 F/BW/VL (``CPUPrecisionFeatures``).
                            ssdd_quantize_row_u8_avx512(row, depth, paddedDepth, inverse, q.zero, out)
                        } else if CPUPrecisionFeatures.current.avx2 {
                            ssdd_quantize_row_u8_avx2(row, depth, paddedDepth, inverse, q.zero, out)
                        } else {
                            ssdd_quantize_row_u8(row, depth, paddedDepth, inverse, q.zero, out)
                        }
                    }
                    packed.withUnsafeBufferPointer { w in
                        let b = w.baseAddress! + panelRange.lowerBound * panelStride
                        if kernel == .vnni {
                            ssdd_int8_gemm_avx512vnni(a, paddedDepth, count, depth, b, cols, &epilogue, c, columns)
                        } else {
                            ssdd_int8_gemm_reference(a, paddedDepth, count, depth, b, cols, &epilogue, c, columns)
                        }
                    }
                }
                start += count
            }
        }
    }

    /// The input's range, split across the pool.
    func dynamicQuantization(_ input: UnsafePointer<Float>, count: Int, pool: ComputePool) -> ActivationQuantization {
        let parts = count < 1 << 16 ? 1 : pool.threadCount
        var lows = [Float](repeating: 0, count: parts), highs = [Float](repeating: 0, count: parts)
        lows.withUnsafeMutableBufferPointer { lows in
            highs.withUnsafeMutableBufferPointer { highs in
                let l = lows.baseAddress!, h = highs.baseAddress!
                let body = { (part: Int) in
                    let first = count * part / parts, end = count * (part + 1) / parts
                    if end > first { Self.minMax(input + first, count: end - first, l + part, h + part) }
                }
                if parts == 1 { body(0) } else { pool.run(tasks: parts, body) }
            }
        }
        return ActivationQuantization(low: lows.min() ?? 0, high: highs.max() ?? 0)
    }

    static func minMax(_ x: UnsafePointer<Float>, count: Int, _ low: UnsafeMutablePointer<Float>, _ high: UnsafeMutablePointer<Float>) {
        if CPUPrecisionFeatures.current.avx2 {
            ssdd_min_max_avx2(x, count, low, high)
            return
        }
        var lo = x[0], hi = x[0]
        for i in 0..<count { lo = min(lo, x[i]); hi = max(hi, x[i]) }
        low.pointee = lo
        high.pointee = hi
    }
}
