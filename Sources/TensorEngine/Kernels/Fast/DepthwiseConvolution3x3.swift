import TensorKernelsAVX512
import TensorKernelsX86

/// Depthwise 3×3 convolution (stride 1 or 2, dilation 1, any asymmetric padding) vectorised across channels.
///
/// Weights are repacked to `[3][3][C]` so every tap is one contiguous vector load; bias and activation are fused.
/// Interior pixels (all nine taps inside the input) run channel vector by channel vector with the nine weights in
/// registers, walking the row's interior pixels (no bounds checks); border pixels use a checked loop over the valid taps.
/// Rows are split across the ``ComputePool``. On CPUs with AVX-512 (``GEMMKernel/avx512``) and a channel count that is a
/// multiple of 16, the interior runs on ``TensorKernelsAVX512/DepthwiseSpanAVX512`` (16 channels per vector, two pixels
/// per step at stride 1), and so do border pixels (the taps inside the input found once per pixel), with bit-identical
/// results.
struct DepthwiseConvolution3x3 {
    typealias V = VectorPointwise.V
    let geometry: ConvolutionGeometry
    /// `[3][3][C]` weights.
    let weights: TensorStorage
    /// `[C]` bias (zeros when the layer has none).
    let bias: TensorStorage
    let activation: FusedActivation
    /// Whether interior spans run on the 16-wide AVX-512 kernel.
    let usesAVX512: Bool

    static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.isDepthwise && g.kernelHeight == 3 && g.kernelWidth == 3 && g.dilationY == 1 && g.dilationX == 1
            && (1...2).contains(g.strideY) && (1...2).contains(g.strideX) && g.inputChannels % min(VectorPointwise.width, 8) == 0
    }

    /// Repacks OIHW `[C, 1, 3, 3]` weights. `kernel` `.vector` keeps the build's vector width on any CPU (tests compare
    /// the two).
    init(
        geometry g: ConvolutionGeometry, weights oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation,
        kernel: GEMMKernel = .preferred
    ) {
        precondition(Self.supports(g), "DepthwiseConvolution3x3: unsupported geometry \(g)")
        geometry = g
        self.activation = activation
        usesAVX512 = kernel == .avx512 && VectorPointwise.width < DepthwiseSpanAVX512.width && g.inputChannels % DepthwiseSpanAVX512.width == 0
        let c = g.inputChannels
        weights = TensorStorage(count: 9 * c)
        for ch in 0..<c {
            for tap in 0..<9 { weights.pointer[tap * c + ch] = oihw[ch * 9 + tap] }
        }
        self.bias = TensorStorage(count: c)
        if let bias { self.bias.pointer.update(from: bias, count: c) }
    }

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let oh = geometry.outputHeight
        // Chunks of at least ~16K outputs (smaller ones cost more to hand over than to compute), four per thread.
        let rowOutputs = geometry.outputWidth * geometry.outputChannels
        pool.parallelRanges(oh, minimumChunk: max(1, (16 << 10) / rowOutputs), oversubscription: 4) { rows in
            runRows(rows, input: input, output: output)
        }
    }

    /// Output rows `rows`, of the channels `channels` (all by default; a range of whole 16-channel vectors needs the
    /// AVX-512 kernel): on AVX-512 ``walkRows(_:input:output:channels:)``, on other CPUs the 8-wide kernel row by row
    /// (``runRow(_:input:output:)``), with the same bits.
    func runRows(_ rows: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, channels: Range<Int>? = nil) {
        guard usesAVX512 else {
            precondition(channels == nil, "DepthwiseConvolution3x3: channel ranges need the AVX-512 kernel")
            for oy in rows { runRow(oy, input: input, output: output) }
            return
        }
        walkRows(rows, input: input, output: .floats(output), channels: channels)
    }

    /// ``runRows(_:input:output:channels:)`` with the outputs quantized to uint8 as an INT8 1×1 convolution quantizes its
    /// input (`ssdd_quantize_row_u8_avx512`'s bytes): `output` addresses the whole output map, `C` bytes per pixel, of
    /// which the channels `channels` (all by default; whole 16-channel vectors) are written. The interior's vectors are
    /// quantized in registers (`ssdd_quantize_store16`), border pixels through a float scratch; the INT8 convolution
    /// then reads the bytes instead of quantizing the floats in a pass of its own.
    ///
    /// - Important: needs the AVX-512 kernel (``usesAVX512``: `C` is a multiple of 16, so no byte of padding).
    func runRowsQuantized(
        _ rows: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<UInt8>, quantization q: ActivationQuantization,
        channels: Range<Int>? = nil
    ) {
        precondition(usesAVX512, "DepthwiseConvolution3x3: quantized rows need the AVX-512 kernel")
        let g = geometry
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(g.outputWidth, rows.count) * g.inputChannels) { scratch in
            walkRows(
                rows, input: input, output: .quantized(output, inverse: 1 / q.scale, zero: q.zero, scratch: scratch.baseAddress!),
                channels: channels)
        }
    }

    /// Where ``walkRows(_:input:output:channels:)`` puts its outputs.
    private enum RowsOutput {
        case floats(UnsafeMutablePointer<Float>)
        /// Quantized bytes, `C` per pixel, and a float scratch of `max(OW, rows) · C` for the border pixels.
        case quantized(UnsafeMutablePointer<UInt8>, inverse: Float, zero: Int32, scratch: UnsafeMutablePointer<Float>)
    }

    /// The AVX-512 kernel on output rows `rows`: a run of interior rows (all three input rows inside the map) takes its
    /// border pixels row by row and its interior as one block, channel vector by channel vector down the rows
    /// (`DepthwiseSpanAVX512.interiorRows`), so each input row is read from L2 once instead of once per output row it
    /// feeds; pixels whose windows the edge cuts the same way run together (`DepthwiseSpanAVX512.edgeRun`).
    private func walkRows(_ rows: Range<Int>, input: UnsafePointer<Float>, output: RowsOutput, channels: Range<Int>?) {
        let g = geometry
        let interior = g.interiorOutputColumns
        let c = g.inputChannels, w = g.inputWidth, ow = g.outputWidth
        let lanes = channels ?? 0..<c
        precondition(
            lanes.lowerBound >= 0 && lanes.upperBound <= c && lanes.lowerBound % DepthwiseSpanAVX512.width == 0
                && lanes.count % DepthwiseSpanAVX512.width == 0, "DepthwiseConvolution3x3: channels \(lanes) of \(c)")
        let (low, high) = activation.clampBounds
        let first = lanes.lowerBound
        /// Quantizes the channels `lanes` of `pixels` pixels of floats, `C` apart from `floats`, into output pixel `pixel`
        /// on, `step` apart.
        func quantize(_ floats: UnsafePointer<Float>, pixels: Int, into pixel: Int, step: Int) {
            guard case .quantized(let bytes, let inverse, let zero, _) = output else { return }
            for p in 0..<pixels {
                ssdd_quantize_row_u8_avx512(
                    floats + p * c + first, lanes.count, lanes.count, inverse, zero, bytes + (pixel + p * step) * c + first)
            }
        }
        /// One output pixel through the cut-window path.
        func border(oy: Int, ox: Int, iy0: Int) {
            let ix0 = ox * g.strideX - g.padding.left
            switch output {
            case .floats(let floats): borderPixel(input, iy0: iy0, ix0: ix0, floats + (oy * ow + ox) * c, channels: channels)
            case .quantized(_, _, _, let scratch):
                borderPixel(input, iy0: iy0, ix0: ix0, scratch, channels: channels)
                quantize(scratch, pixels: 1, into: oy * ow + ox, step: 0)
            }
        }
        /// Pixels sharing one cut window (`edgeRun`): `pixels` from output pixel (`oy`, `ox`) on, `step` output pixels
        /// apart, reading `taps` from input row `iy0 + taps.rows.lowerBound`, column `ix0 + taps.columns.lowerBound`.
        func edge(oy: Int, ox: Int, iy0: Int, ix0: Int, taps: (rows: Range<Int>, columns: Range<Int>), pixels: Int, inputStep: Int, step: Int) {
            let (destination, outputStep): (UnsafeMutablePointer<Float>, Int)
            switch output {
            case .floats(let floats): (destination, outputStep) = (floats + (oy * ow + ox) * c, step * c)
            case .quantized(_, _, _, let scratch): (destination, outputStep) = (scratch, c)
            }
            DepthwiseSpanAVX512.edgeRun(
                input + ((iy0 + taps.rows.lowerBound) * w + ix0 + taps.columns.lowerBound) * c + first, pixels: pixels,
                inputStep: inputStep, rowStride: w * c, kernelRows: taps.rows.count, kernelColumns: taps.columns.count,
                destination + first, outputStep: outputStep,
                weights: UnsafePointer(weights.pointer) + (3 * taps.rows.lowerBound + taps.columns.lowerBound) * c + first,
                bias: UnsafePointer(bias.pointer) + first, channels: lanes.count, channelStride: c, low: low, high: high)
            quantize(destination, pixels: pixels, into: oy * ow + ox, step: step)
        }
        var oy = rows.lowerBound
        while oy < rows.upperBound {
            guard !interior.isEmpty, g.isInteriorRow(oy) else {
                let iy0 = oy * g.strideY - g.padding.top
                let taps = Self.taps(iy0, g.inputHeight)
                // A top or bottom row: its interior columns all lose the same kernel row.
                let runs = taps.count == 2 && !interior.isEmpty
                for ox in 0..<ow where !runs || !interior.contains(ox) { border(oy: oy, ox: ox, iy0: iy0) }
                if runs {
                    let ix0 = interior.lowerBound * g.strideX - g.padding.left
                    edge(
                        oy: oy, ox: interior.lowerBound, iy0: iy0, ix0: ix0, taps: (taps, 0..<3), pixels: interior.count,
                        inputStep: g.strideX * c, step: 1)
                }
                oy += 1
                continue
            }
            var end = oy + 1
            while end < rows.upperBound && g.isInteriorRow(end) { end += 1 }
            let iy0 = oy * g.strideY - g.padding.top
            // The left and right border columns: each cut the same way in every interior row.
            for ox in [0..<interior.lowerBound, interior.upperBound..<ow].joined() {
                let ix0 = ox * g.strideX - g.padding.left
                let columns = Self.taps(ix0, g.inputWidth)
                if columns.count == 2 {
                    edge(oy: oy, ox: ox, iy0: iy0, ix0: ix0, taps: (0..<3, columns), pixels: end - oy, inputStep: g.strideY * w * c, step: ow)
                } else {
                    for y in oy..<end { border(oy: y, ox: ox, iy0: y * g.strideY - g.padding.top) }
                }
            }
            let source = input + (iy0 * w + interior.lowerBound * g.strideX - g.padding.left) * c + first
            let firstPixel = oy * ow + interior.lowerBound
            switch output {
            case .floats(let floats):
                DepthwiseSpanAVX512.interiorRows(
                    source, rows: end - oy, inputRowStep: g.strideY * w * c, rowStride: w * c, pixelStride: g.strideX * c,
                    pixels: interior.count, floats + firstPixel * c + first, outputRowStride: ow * c,
                    weights: UnsafePointer(weights.pointer) + first, bias: UnsafePointer(bias.pointer) + first, channels: lanes.count,
                    channelStride: c, low: low, high: high)
            case .quantized(let bytes, let inverse, let zero, _):
                DepthwiseSpanAVX512.interiorRowsQuantized(
                    source, rows: end - oy, inputRowStep: g.strideY * w * c, rowStride: w * c, pixelStride: g.strideX * c,
                    pixels: interior.count, bytes + firstPixel * c + first, outputRowStride: ow * c, outputPixelStride: c,
                    inverseScale: inverse, zero: zero, weights: UnsafePointer(weights.pointer) + first,
                    bias: UnsafePointer(bias.pointer) + first, channels: lanes.count, channelStride: c, low: low, high: high)
            }
            oy = end
        }
    }

    /// The kernel taps `0..<3` whose input index `start + tap` lies in `0..<size` (empty if none).
    static func taps(_ start: Int, _ size: Int) -> Range<Int> {
        let low = max(0, -start)
        return low..<max(low, min(3, size - start))
    }

    /// One output row on the 8-wide kernel (``runRows(_:input:output:channels:)`` runs AVX-512 itself).
    private func runRow(_ oy: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let g = geometry
        let c = g.inputChannels, w = g.inputWidth, ow = g.outputWidth
        let iy0 = oy * g.strideY - g.padding.top
        let out = output + oy * ow * c
        let interior = g.isInteriorRow(oy) ? g.interiorOutputColumns : 0..<0
        if interior.isEmpty {
            for ox in 0..<ow { borderPixel(input, iy0: iy0, ix0: ox * g.strideX - g.padding.left, out + ox * c) }
            return
        }
        for ox in 0..<interior.lowerBound { borderPixel(input, iy0: iy0, ix0: ox * g.strideX - g.padding.left, out + ox * c) }
        for ox in interior.upperBound..<ow { borderPixel(input, iy0: iy0, ix0: ox * g.strideX - g.padding.left, out + ox * c) }
        let firstInput = input + (iy0 * w + interior.lowerBound * g.strideX - g.padding.left) * c
        interiorSpan(
            firstInput, rowStride: w * c, pixelStride: g.strideX * c, pixels: interior.count,
            out + interior.lowerBound * c)
        let full = c - c % VectorPointwise.width
        if full < c {
            for ox in interior {
                borderPixel(input, iy0: iy0, ix0: ox * g.strideX - g.padding.left, out + ox * c, channels: full..<c)
            }
        }
    }

    /// A run of interior output pixels of one row, one channel vector at a time: the nine tap weights and the bias of
    /// that vector stay in registers while the loop walks the pixels (three partial sums, one per kernel row). Channels
    /// past the last whole vector (a channel count that is not a multiple of the vector width) take the border path.
    @inline(__always)
    private func interiorSpan(
        _ src: UnsafePointer<Float>, rowStride: Int, pixelStride: Int, pixels: Int, _ dst: UnsafeMutablePointer<Float>
    ) {
        let c = geometry.inputChannels
        let wp = UnsafePointer(weights.pointer), bp = UnsafePointer(bias.pointer)
        let full = c - c % VectorPointwise.width
        let (low, high) = VectorPointwise.bounds(activation)
        var ch = 0
        while ch < full {
            let w0 = wp + ch
            let k00 = load(w0), k01 = load(w0 + c), k02 = load(w0 + 2 * c)
            let k10 = load(w0 + 3 * c), k11 = load(w0 + 4 * c), k12 = load(w0 + 5 * c)
            let k20 = load(w0 + 6 * c), k21 = load(w0 + 7 * c), k22 = load(w0 + 8 * c)
            let b = load(bp + ch)
            var r0 = src + ch
            var o = dst + ch
            for _ in 0..<pixels {
                let r1 = r0 + rowStride, r2 = r1 + rowStride
                var a0 = VectorPointwise.madd(b, load(r0), k00)
                var a1 = load(r1) * k10
                var a2 = load(r2) * k20
                a0 = VectorPointwise.madd(a0, load(r0 + c), k01)
                a1 = VectorPointwise.madd(a1, load(r1 + c), k11)
                a2 = VectorPointwise.madd(a2, load(r2 + c), k21)
                a0 = VectorPointwise.madd(a0, load(r0 + 2 * c), k02)
                a1 = VectorPointwise.madd(a1, load(r1 + 2 * c), k12)
                a2 = VectorPointwise.madd(a2, load(r2 + 2 * c), k22)
                VectorPointwise.store(VectorPointwise.clamp(a0 + (a1 + a2), low, high), o)
                r0 += pixelStride
                o += c
            }
            ch += VectorPointwise.width
        }
    }

    /// `acc + a·b` on 4-wide vectors, fused where the build has FMA (see ``VectorPointwise/madd(_:_:_:)``).
    @inline(__always)
    private static func madd4(_ acc: SIMD4<Float>, _ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
        #if SSDD_AVX2 || SSDD_AVX512
        acc.addingProduct(a, b)
        #else
        acc + a * b
        #endif
    }

    /// One output pixel through a checked loop over its valid taps, for `channels` (all by default).
    private func borderPixel(
        _ input: UnsafePointer<Float>, iy0: Int, ix0: Int, _ dst: UnsafeMutablePointer<Float>, channels: Range<Int>? = nil
    ) {
        let g = geometry
        let c = g.inputChannels
        let wp = UnsafePointer(weights.pointer), bp = UnsafePointer(bias.pointer)
        let activation = self.activation
        if usesAVX512, channels.map({ $0.lowerBound % DepthwiseSpanAVX512.width == 0 && $0.count % DepthwiseSpanAVX512.width == 0 }) ?? true {
            // The taps inside the input, found once per pixel instead of checked per tap and vector.
            let rows = Self.taps(iy0, g.inputHeight), columns = Self.taps(ix0, g.inputWidth)
            let (low, high) = activation.clampBounds
            let lanes = channels ?? 0..<c
            let first = rows.isEmpty || columns.isEmpty ? input : input + ((iy0 + rows.lowerBound) * g.inputWidth + ix0 + columns.lowerBound) * c
            DepthwiseSpanAVX512.clippedPixel(
                first + lanes.lowerBound, rowStride: g.inputWidth * c, rows: columns.isEmpty ? 0..<0 : rows, columns: columns,
                dst + lanes.lowerBound, weights: wp + lanes.lowerBound, bias: bp + lanes.lowerBound, channels: lanes.count,
                channelStride: c, low: low, high: high)
            return
        }
        func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
        // Whole vectors, then 4-wide ones for the rest (every supported channel count is a multiple of 4).
        let range = channels ?? 0..<c
        var ch = range.lowerBound
        let (low, high) = VectorPointwise.bounds(activation)
        while ch + VectorPointwise.width <= range.upperBound {
            var acc = self.load(bp + ch)
            for ky in 0..<3 {
                let iy = iy0 + ky
                if iy < 0 || iy >= g.inputHeight { continue }
                for kx in 0..<3 {
                    let ix = ix0 + kx
                    if ix < 0 || ix >= g.inputWidth { continue }
                    acc = VectorPointwise.madd(
                        acc, self.load(input + (iy * g.inputWidth + ix) * c + ch),
                        self.load(wp + (ky * 3 + kx) * c + ch))
                }
            }
            VectorPointwise.store(VectorPointwise.clamp(acc, low, high), dst + ch)
            ch += VectorPointwise.width
        }
        while ch < range.upperBound {
            var acc = load(bp + ch)
            for ky in 0..<3 {
                let iy = iy0 + ky
                if iy < 0 || iy >= g.inputHeight { continue }
                for kx in 0..<3 {
                    let ix = ix0 + kx
                    if ix < 0 || ix >= g.inputWidth { continue }
                    acc = Self.madd4(acc, load(input + (iy * g.inputWidth + ix) * c + ch), load(wp + (ky * 3 + kx) * c + ch))
                }
            }
            for lane in 0..<4 { dst[ch + lane] = activation.apply(acc[lane]) }
            ch += 4
        }
    }

    @inline(__always)
    private func load(_ p: UnsafePointer<Float>) -> V { VectorPointwise.load(p) }
}
