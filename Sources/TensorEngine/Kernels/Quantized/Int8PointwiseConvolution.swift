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
    let panels: Int8Panels
    /// Rows of activations quantized at a time (fits L1 with the panel being swept).
    let chunkRows: Int
    /// `weight scale · calibrated activation scale` per output channel (empty without a calibration).
    let calibratedMultipliers: [Float]

    var depth: Int { panels.depth }
    /// `depth` rounded up to 4 (the tiles' step).
    var paddedDepth: Int { panels.paddedDepth }
    var columns: Int { panels.columns }
    var weightScales: [Float] { panels.weightScales }

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
        // OIHW with 1×1 windows is already `[Cout][Cin]`.
        let panels = Int8Panels(kernel: kernel, depth: g.inputChannels, columns: g.outputChannels, dense: weights, bias: bias)
        self.panels = panels
        calibratedMultipliers = calibration.map { panels.multipliers(activationScale: $0.scale) } ?? []
        chunkRows = min(panels.rows(fitting: 24 * 1024), max(kernel.tileRows, 96))
    }

    /// Convolves `[H, W, Cin]` at `input` into `[H, W, Cout]` at `output`.
    public func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let rows = geometry.outputHeight * geometry.outputWidth
        let quantization = calibration ?? ActivationQuantization.covering(input, count: rows * depth, pool: pool)
        let multipliers = calibration == nil ? panels.multipliers(activationScale: quantization.scale) : calibratedMultipliers
        let (low, high) = activation.clampBounds
        let threads = pool.threadCount
        let panelCount = panels.panelCount
        multipliers.withUnsafeBufferPointer { m in
            let parts: Int
            let byRows: Bool
            if threads == 1 || rows * depth * columns < 1 << 18 {
                parts = 1
                byRows = true
            } else if rows >= 8 * threads * kernel.tileRows || panelCount < 2 {
                parts = min(4 * threads, max(1, rows / (2 * kernel.tileRows)))
                byRows = true
            } else {
                // Every part quantizes all the rows it multiplies: one part per thread, so the rows are quantized once
                // per thread, not once per part (4 × threads parts quantized the 10×10 maps' rows 8 times at 2 threads).
                parts = min(threads, panelCount)
                byRows = false
            }
            let work = { (part: Int) in
                let rowRange = byRows ? (rows * part / parts)..<(rows * (part + 1) / parts) : 0..<rows
                let panelRange = byRows ? 0..<panelCount : (panelCount * part / parts)..<(panelCount * (part + 1) / parts)
                self.compute(
                    rows: rowRange, panels: panelRange, input: input, output: output, quantization: quantization,
                    multipliers: m.baseAddress!, low: low, high: high)
            }
            if parts == 1 { work(0) } else { pool.run(tasks: parts, work) }
        }
    }

    /// Output pixels `rows` of the column panels `panelRange` (16 channels each; all by default) with the calibrated
    /// quantization: what ``run(input:output:pool:)`` gives for them, bit for bit (a fused block computes its bands, or
    /// its share of the channels, with it).
    ///
    /// - Important: only for a convolution with a ``calibration``.
    func computeCalibrated(
        rows: Range<Int>, panels panelRange: Range<Int>? = nil, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        guard let calibration else { preconditionFailure("Int8PointwiseConvolution: rows of a dynamically quantized convolution") }
        let (low, high) = activation.clampBounds
        calibratedMultipliers.withUnsafeBufferPointer { m in
            compute(
                rows: rows, panels: panelRange ?? 0..<panels.panelCount, input: input, output: output, quantization: calibration,
                multipliers: m.baseAddress!, low: low, high: high)
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
            // Chunks of rows as when quantizing: each stays in L1 while the tile sweeps the panels.
            var start = rows.lowerBound
            while start < rows.upperBound {
                let count = min(chunkRows, rows.upperBound - start)
                panels.multiply(
                    quantized: input + start * paddedDepth, lda: paddedDepth, count: count, panels: 0..<panels.panelCount,
                    multipliers: m.baseAddress!, zero: calibration.zero, low: low, high: high, c: output + start * columns, ldc: columns)
                start += count
            }
        }
    }

    /// Rows `rows` × panels `panelRange`: quantize a chunk of rows, then the tile over the panels.
    func compute(
        rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        quantization q: ActivationQuantization, multipliers: UnsafePointer<Float>, low: Float, high: Float
    ) {
        if rows.isEmpty || panelRange.isEmpty { return }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkRows * paddedDepth * 2, alignment: 64)
        defer { buffer.deallocate() }
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = min(chunkRows, rows.upperBound - start)
            panels.multiply(
                floatRows: input + start * depth, ldx: depth, count: count, panels: panelRange, quantization: q, multipliers: multipliers,
                low: low, high: high, buffer: buffer, c: output + start * columns, ldc: columns)
            start += count
        }
    }
}
