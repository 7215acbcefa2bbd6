import TensorKernelsX86

/// An ungrouped convolution with a window — 3×3, strided, dilated, padded: every geometry ``Int8PointwiseConvolution``
/// does not take — in INT8 (``Precision/int8``).
///
/// The input map is quantized to uint8 once per call into the scratch (calibrated, or dynamic from the input's own
/// range, as the 1×1 path), and im2col rows of those bytes, built chunk by chunk in a buffer owned by the task, are
/// multiplied by the weights, quantized per output channel in the rows' (ky, kx, ci) order (``Int8Panels``). Padding
/// taps are the zero point, which stands for exactly 0.0. On the AVX2 tile, which reads int16 rows, each chunk is
/// instead im2col rows of the float input quantized row by row: the same values reach the sums either way.
public final class Int8WindowConvolution {
    public let geometry: ConvolutionGeometry
    public let activation: FusedActivation
    public let kernel: Int8Kernel
    /// The calibrated activation quantization, or nil for dynamic quantization.
    public let calibration: ActivationQuantization?
    let panels: Int8Panels
    /// im2col rows per chunk: resident in L1 while small weights (in L2) sweep them, or 256 KB of L2 where the weights
    /// come from L3 once per chunk (``largeWeightBytes``).
    let chunkRows: Int
    /// `weight scale · calibrated activation scale` per output channel (empty without a calibration).
    let calibratedMultipliers: [Float]

    /// Packed weights above which they no longer stay in L2 next to a chunk of rows (SSD300's 512-channel 3×3 layers
    /// hold 2.4 MB, its dilated 3×3 to 1024 channels 4.7 MB).
    static let largeWeightBytes = 1 << 20

    /// Whether the INT8 path runs `g`: one group, and a window of at most 65,536 elements, so the int32 sums of
    /// 255 · 127 products cannot overflow.
    public static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.kernelHeight * g.kernelWidth * g.inputChannels <= 1 << 16
    }

    /// Window elements below which ``Precision/int8`` leaves a convolution in fp32: with few multiply-adds per output
    /// value, building and storing the rows costs more than the faster products save. The 3-channel stems (27
    /// elements) ran slower in INT8 — SSDLite's 0.24 → 0.60 ms, SSD300's 3.5 → 4.1 ms at 1 thread — and keep their
    /// input, the image, unquantized.
    public static let minimumDepth = 64

    /// Whether ``Precision/int8`` runs `g` here: ``supports(_:)`` and at least ``minimumDepth`` window elements.
    public static func pays(for g: ConvolutionGeometry) -> Bool {
        supports(g) && g.kernelHeight * g.kernelWidth * g.inputChannels >= minimumDepth
    }

    /// Quantizes and packs OIHW `weights` (`geometry.weightShape`).
    ///
    /// - Important: `geometry` must be valid and satisfy ``supports(_:)``, and `kernel` must run on this CPU.
    public init(
        geometry g: ConvolutionGeometry, weights oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation,
        calibration: ActivationQuantization?, kernel: Int8Kernel = .preferred
    ) {
        precondition(g.invalidReason == nil && Self.supports(g), "Int8WindowConvolution: unsupported geometry \(g)")
        precondition(kernel.isAvailable, "Int8WindowConvolution: \(kernel) does not run on this CPU")
        geometry = g
        self.activation = activation
        self.kernel = kernel
        self.calibration = calibration
        let depth = g.kernelHeight * g.kernelWidth * g.inputChannels
        let panels = Im2col.withRowOrderWeights(g, oihw) { dense in
            Int8Panels(kernel: kernel, depth: depth, columns: g.outputChannels, dense: dense, bias: bias)
        }
        self.panels = panels
        calibratedMultipliers = calibration.map { panels.multipliers(activationScale: $0.scale) } ?? []
        let large = panels.packed.count > Self.largeWeightBytes
        chunkRows = min(panels.rows(fitting: large ? 256 * 1024 : 32 * 1024), large ? 480 : 240)
    }

    /// Bytes of packed weights.
    var weightBytes: Int { panels.packed.count }

    /// Whether the whole input is quantized once into the scratch (every tile but AVX2's).
    private var quantizesMap: Bool { !kernel.widens }

    /// Bytes of the quantized input map.
    private var mapBytes: Int { geometry.inputHeight * geometry.inputWidth * geometry.inputChannels }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs: the quantized input map.
    public func scratchCount(threads: Int) -> Int { quantizesMap ? (mapBytes + 3) / 4 : 0 }

    /// Convolves `[H, W, Cin]` at `input` into `[OH, OW, Cout]` at `output`.
    ///
    /// - Important: `scratch` must hold ``scratchCount(threads:)`` floats.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?, pool: ComputePool
    ) {
        let q = calibration ?? ActivationQuantization.covering(input, count: mapBytes, pool: pool)
        let multipliers = calibration == nil ? panels.multipliers(activationScale: q.scale) : calibratedMultipliers
        var map: UnsafePointer<UInt8>?
        if quantizesMap {
            guard let scratch else {
                preconditionFailure("Int8WindowConvolution: needs \(scratchCount(threads: pool.threadCount)) floats of scratch")
            }
            let bytes = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: UInt8.self)
            quantize(input, into: bytes, with: q, pool: pool)
            map = UnsafePointer(bytes)
        }
        multipliers.withUnsafeBufferPointer { m in
            // The VNNI tile is two panels wide: panels are handed out in pairs.
            let rows = geometry.outputHeight * geometry.outputWidth
            pool.runRowsOrPanels(
                rows: rows, tileRows: kernel.tileRows, panels: panels.panelCount, panelGroup: 2,
                multiplyAccumulates: rows * panels.depth * panels.columns,
                weightsOutweigh: weightBytes > Self.largeWeightBytes && panels.columns > rows
            ) { rows, panelRange in
                self.compute(
                    rows: rows, panels: panelRange, input: input, map: map, quantization: q, multipliers: m.baseAddress!, output: output)
            }
        }
    }

    /// The input map quantized to `bytes`, in parts across the pool.
    private func quantize(_ input: UnsafePointer<Float>, into bytes: UnsafeMutablePointer<UInt8>, with q: ActivationQuantization, pool: ComputePool) {
        let count = mapBytes, inverse = 1 / q.scale
        let parts = count < 1 << 16 ? 1 : 2 * pool.threadCount
        let body = { (part: Int) in
            // Parts of whole 64-byte lines.
            let first = count * part / parts / 64 * 64, end = part + 1 == parts ? count : count * (part + 1) / parts / 64 * 64
            if end > first {
                self.kernel.quantize(input + first, count: end - first, padded: end - first, inverse: inverse, zero: q.zero, into: bytes + first)
            }
        }
        if parts == 1 { body(0) } else { pool.run(tasks: parts, body) }
    }

    /// Output pixels `rows` × column panels `panelRange`, chunk by chunk: im2col rows of the quantized `map`, or of the
    /// float `input` quantized per row (AVX2).
    private func compute(
        rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>, map: UnsafePointer<UInt8>?,
        quantization q: ActivationQuantization, multipliers: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        if rows.isEmpty || panelRange.isEmpty { return }
        let g = geometry, depth = panels.depth, padded = panels.paddedDepth, columns = panels.columns
        let (low, high) = activation.clampBounds
        // Bytes of one chunk's rows: uint8, or (AVX2) the float im2col rows and their int16 quantization.
        let rowBytes = map != nil ? padded : depth * 4 + padded * 2
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkRows * rowBytes, alignment: 64)
        defer { buffer.deallocate() }
        var window = ssdd_int8_window(
            input_height: g.inputHeight, input_width: g.inputWidth, channels: g.inputChannels, output_width: g.outputWidth,
            kernel_height: g.kernelHeight, kernel_width: g.kernelWidth, stride_y: g.strideY, stride_x: g.strideX,
            dilation_y: g.dilationY, dilation_x: g.dilationX, pad_top: g.padding.top, pad_left: g.padding.left)
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = min(chunkRows, rows.upperBound - start)
            let c = output + start * columns
            if let map {
                let a = buffer.assumingMemoryBound(to: UInt8.self), zero = UInt8(q.zero)
                if kernel == .vnni {
                    ssdd_int8_im2col_avx512(map, &window, start, count, padded, zero, a)
                } else {
                    ssdd_int8_im2col(map, &window, start, count, padded, zero, a)
                }
                panels.multiply(
                    quantized: a, lda: padded, count: count, panels: panelRange, multipliers: multipliers, zero: q.zero, low: low,
                    high: high, c: c, ldc: columns)
            } else {
                let col = buffer.assumingMemoryBound(to: Float.self)
                Im2col.fill(g, input: input, firstPixel: start, pixels: count, into: col)
                panels.multiply(
                    floatRows: col, ldx: depth, count: count, panels: panelRange, quantization: q, multipliers: multipliers, low: low,
                    high: high, buffer: buffer + chunkRows * depth * 4, c: c, ldc: columns)
            }
            start += count
        }
    }
}
