import TensorKernelsX86

/// The interior of a depthwise 3×3 convolution row on zmm registers: output pixels whose nine taps all lie inside the
/// input, 16 channels per vector, the nine tap weights and the bias of a channel vector held in registers while the
/// loop walks the pixels. With stride 1 it computes two neighbouring pixels per step, so each input column of the
/// 3×4 window is loaded once for both (12 loads for two pixels instead of 18). The sums are the 8-wide kernel's
/// (`TensorEngine.DepthwiseConvolution3x3`), lane for lane in the same order: bias + row 0, row 1, row 2 (each
/// left to right), then `row0 + (row1 + row2)`, clamped — so the results are bit-identical.
public enum DepthwiseSpanAVX512 {
    typealias V = SIMD16<Float>

    /// Channels per vector; the channel count must be a multiple of it.
    public static let width = 16

    /// `dst[p][ch] = clamp(bias[ch] + Σ taps)` for `pixels` interior pixels of each of `rows` output rows (row `r`
    /// reads from `src + r·inputRowStep` and writes to `dst + r·outputRowStride`), channel vector by channel vector,
    /// each vector down all the rows: the input rows under that vector (64 bytes a pixel) stay in L1 from one output row
    /// to the next, where a row at a time reloaded each input row from L2 for each of its three output rows. The same
    /// sums per output whatever the rows, so the same bits.
    ///
    /// - Parameters:
    ///   - src: the input pixel under the first pixel's top-left tap (the first channel).
    ///   - rowStride: floats from one input row to the next (`W·C`).
    ///   - pixelStride: floats from one output pixel's window to the next (`stride·C`).
    ///   - weights: `[3][3][C]`, tap-major, from the first channel.
    ///   - channels: how many channels (a multiple of 16).
    ///   - channelStride: `C`, floats from one pixel to the next and from one tap's weights to the next.
    /// - Important: call only on a CPU with AVX-512 F; the pointers must be valid for the stated extents.
    public static func interiorRows(
        _ src: UnsafePointer<Float>, rows: Int, inputRowStep: Int, rowStride: Int, pixelStride: Int, pixels: Int,
        _ dst: UnsafeMutablePointer<Float>, outputRowStride: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        channels count: Int, channelStride c: Int, low: Float, high: Float
    ) {
        interiorRows(
            src, rows: rows, inputRowStep: inputRowStep, rowStride: rowStride, pixelStride: pixelStride, pixels: pixels, dst,
            outputRowStride: outputRowStride, outputPixelStride: c, sink: FloatSink(), weights: weights, bias: bias, channels: count,
            channelStride: c, low: low, high: high)
    }

    /// ``interiorRows(_:rows:inputRowStep:rowStride:pixelStride:pixels:_:outputRowStride:weights:bias:channels:channelStride:low:high:)``
    /// with each output vector quantized to uint8 as it is stored (`ssdd_quantize_store16`: the bytes
    /// `ssdd_quantize_row_u8_avx512` gives for the float outputs), for an INT8 convolution that reads them: `dst` and
    /// `outputRowStride` count bytes, output pixels are `outputPixelStride` bytes apart.
    public static func interiorRowsQuantized(
        _ src: UnsafePointer<Float>, rows: Int, inputRowStep: Int, rowStride: Int, pixelStride: Int, pixels: Int,
        _ dst: UnsafeMutablePointer<UInt8>, outputRowStride: Int, outputPixelStride: Int, inverseScale: Float, zero: Int32,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels count: Int, channelStride c: Int, low: Float, high: Float
    ) {
        /// The rows with the stores of `sink` (one specialisation per sink type).
        func walk<S: Sink>(_ sink: S) where S.Element == UInt8 {
            interiorRows(
                src, rows: rows, inputRowStep: inputRowStep, rowStride: rowStride, pixelStride: pixelStride, pixels: pixels, dst,
                outputRowStride: outputRowStride, outputPixelStride: outputPixelStride, sink: sink, weights: weights, bias: bias,
                channels: count, channelStride: c, low: low, high: high)
        }
        if BoundedQuantizingSink.covers(low: low, high: high, inverse: inverseScale, zero: zero) {
            walk(BoundedQuantizingSink(inverse: inverseScale, zero: zero))
        } else {
            walk(QuantizingSink(inverse: inverseScale, zero: zero))
        }
    }

    /// Where output vectors go: stored as floats, or quantized to bytes.
    protocol Sink {
        associatedtype Element
        func store(_ v: V, _ p: UnsafeMutablePointer<Element>)
    }

    struct FloatSink: Sink {
        @inline(__always)
        func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { DepthwiseSpanAVX512.store(v, p) }
    }

    struct QuantizingSink: Sink {
        let inverse: Float
        let zero: Int32
        @inline(__always)
        func store(_ v: V, _ p: UnsafeMutablePointer<UInt8>) { ssdd_quantize_store16(v, inverse, zero, p) }
    }

    /// ``QuantizingSink`` for outputs the activation's clamp keeps in a range where the quantizer's own ±512 clamp
    /// changes no byte (`ssdd_quantize_store16_bounded`): the same bytes in fewer operations.
    struct BoundedQuantizingSink: Sink {
        let inverse: Float
        let zero: Int32

        /// Whether outputs clamped to `low…high` (or NaN) quantize to the same bytes without the ±512 clamp: finite
        /// bounds whose products with a positive, finite `inverse` stay within ±2³⁰ (every clamped output's product
        /// lies between theirs, the rounding of a product being monotonic), and a zero point within 0…255.
        static func covers(low: Float, high: Float, inverse: Float, zero: Int32) -> Bool {
            let limit: Float = 0x1p30
            return inverse.isFinite && inverse > 0 && low.isFinite && high.isFinite && low <= high && abs(low * inverse) <= limit
                && abs(high * inverse) <= limit && (0...255).contains(zero)
        }

        @inline(__always)
        func store(_ v: V, _ p: UnsafeMutablePointer<UInt8>) { ssdd_quantize_store16_bounded(v, inverse, zero, p) }
    }

    @inline(__always)
    static func interiorRows<S: Sink>(
        _ src: UnsafePointer<Float>, rows: Int, inputRowStep: Int, rowStride: Int, pixelStride: Int, pixels: Int,
        _ dst: UnsafeMutablePointer<S.Element>, outputRowStride: Int, outputPixelStride: Int, sink: S, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, channels count: Int, channelStride c: Int, low: Float, high: Float
    ) {
        let lowV = V(repeating: low), highV = V(repeating: high)
        let op = outputPixelStride
        var ch = 0
        while ch < count {
            let w0 = weights + ch
            let k = (
                load(w0), load(w0 + c), load(w0 + 2 * c), load(w0 + 3 * c), load(w0 + 4 * c), load(w0 + 5 * c), load(w0 + 6 * c),
                load(w0 + 7 * c), load(w0 + 8 * c)
            )
            let b = load(bias + ch)
            for row in 0..<rows {
                var r0 = src + row * inputRowStep + ch
                var o = dst + row * outputRowStride + ch
                var remaining = pixels
                if pixelStride == c {
                    while remaining >= 2 {
                        let r1 = r0 + rowStride, r2 = r1 + rowStride
                        // Columns 0…3 of the three rows: pixel 0 reads 0…2, pixel 1 reads 1…3.
                        let x00 = load(r0), x01 = load(r0 + c), x02 = load(r0 + 2 * c), x03 = load(r0 + 3 * c)
                        let x10 = load(r1), x11 = load(r1 + c), x12 = load(r1 + 2 * c), x13 = load(r1 + 3 * c)
                        let x20 = load(r2), x21 = load(r2 + c), x22 = load(r2 + 2 * c), x23 = load(r2 + 3 * c)
                        sink.store(pixel(b, k, (x00, x01, x02), (x10, x11, x12), (x20, x21, x22), lowV, highV), o)
                        sink.store(pixel(b, k, (x01, x02, x03), (x11, x12, x13), (x21, x22, x23), lowV, highV), o + op)
                        r0 += 2 * c
                        o += 2 * op
                        remaining -= 2
                    }
                }
                while remaining > 0 {
                    let r1 = r0 + rowStride, r2 = r1 + rowStride
                    sink.store(
                        pixel(
                            b, k, (load(r0), load(r0 + c), load(r0 + 2 * c)), (load(r1), load(r1 + c), load(r1 + 2 * c)),
                            (load(r2), load(r2 + c), load(r2 + 2 * c)), lowV, highV), o)
                    r0 += pixelStride
                    o += op
                    remaining -= 1
                }
            }
            ch += width
        }
    }

    /// One output pixel whose window the input's edge cuts: `dst[ch] = clamp(bias[ch] + Σ taps)` over the kernel rows
    /// `rows` and columns `columns` that lie inside the input, as one running sum (row by row, left to right) — the
    /// 8-wide border loop's order (`TensorEngine.DepthwiseConvolution3x3`), so the same bits.
    ///
    /// - Parameters:
    ///   - src: the input pixel under tap (`rows.lowerBound`, `columns.lowerBound`), channel 0.
    ///   - rowStride: floats from one input row to the next (`W·C`).
    ///   - rows, columns: the taps inside the input, within `0..<3`.
    ///   - weights: `[3][3][C]`, tap-major.
    ///   - channels: how many channels from `src`, `dst`, `weights` and `bias` (a multiple of 16).
    ///   - channelStride: `C`, floats from one pixel to the next and from one tap's weights to the next.
    /// - Important: call only on a CPU with AVX-512 F; the pointers must be valid for the stated extents.
    public static func clippedPixel(
        _ src: UnsafePointer<Float>, rowStride: Int, rows: Range<Int>, columns: Range<Int>, _ dst: UnsafeMutablePointer<Float>,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels count: Int, channelStride c: Int, low: Float, high: Float
    ) {
        let lowV = V(repeating: low), highV = V(repeating: high)
        var ch = 0
        // Four channel vectors at a time: four independent chains of at most nine dependent FMAs (one chain alone is
        // bound by the FMA latency).
        while ch + 4 * width <= count {
            var acc0 = load(bias + ch), acc1 = load(bias + ch + 16), acc2 = load(bias + ch + 32), acc3 = load(bias + ch + 48)
            var row = src + ch
            for ky in rows {
                var tap = row
                var w = weights + (3 * ky + columns.lowerBound) * c + ch
                for _ in columns {
                    acc0 = acc0.addingProduct(load(tap), load(w))
                    acc1 = acc1.addingProduct(load(tap + 16), load(w + 16))
                    acc2 = acc2.addingProduct(load(tap + 32), load(w + 32))
                    acc3 = acc3.addingProduct(load(tap + 48), load(w + 48))
                    tap += c
                    w += c
                }
                row += rowStride
            }
            store(GEMMPanelAVX512.clamp(acc0, lowV, highV), dst + ch)
            store(GEMMPanelAVX512.clamp(acc1, lowV, highV), dst + ch + 16)
            store(GEMMPanelAVX512.clamp(acc2, lowV, highV), dst + ch + 32)
            store(GEMMPanelAVX512.clamp(acc3, lowV, highV), dst + ch + 48)
            ch += 4 * width
        }
        while ch < count {
            var acc = load(bias + ch)
            var row = src + ch
            for ky in rows {
                var tap = row
                var w = weights + (3 * ky + columns.lowerBound) * c + ch
                for _ in columns {
                    acc = acc.addingProduct(load(tap), load(w))
                    tap += c
                    w += c
                }
                row += rowStride
            }
            store(GEMMPanelAVX512.clamp(acc, lowV, highV), dst + ch)
            ch += width
        }
    }

    /// A run of output pixels whose windows the input's edge cuts the same way, each `dst[p][ch] = clamp(bias[ch] + Σ
    /// taps)` over the `kernelRows × kernelColumns` taps inside the input as one running sum (row by row, left to right:
    /// ``clippedPixel(_:rowStride:rows:columns:_:weights:bias:channels:channelStride:low:high:)``'s order, so the same
    /// bits): the left or right column of a run of interior rows (3 × 2 taps) or the interior of the top or bottom row
    /// (2 × 3). The six taps are fixed, so each pixel runs as straight-line code, four channel vectors at a time, where
    /// the pixel-by-pixel path looped over the taps inside the input for every vector.
    ///
    /// - Parameters:
    ///   - src: the input pixel under the first pixel's first tap inside the input (the first channel).
    ///   - pixels: how many output pixels; pixel `p` reads from `src + p·inputStep` and writes to `dst + p·outputStep`.
    ///   - rowStride: floats from one input row to the next (`W·C`).
    ///   - kernelRows, kernelColumns: 3 × 2 or 2 × 3.
    ///   - weights: the weights of the first tap inside the input; tap (r, c) of the run at `weights + (3r + c)·C`.
    ///   - channels: how many channels (a multiple of 16); `channelStride`: `C`.
    /// - Important: call only on a CPU with AVX-512 F; the pointers must be valid for the stated extents.
    public static func edgeRun(
        _ src: UnsafePointer<Float>, pixels: Int, inputStep: Int, rowStride: Int, kernelRows: Int, kernelColumns: Int,
        _ dst: UnsafeMutablePointer<Float>, outputStep: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        channels count: Int, channelStride c: Int, low: Float, high: Float
    ) {
        precondition(
            (kernelRows == 3 && kernelColumns == 2) || (kernelRows == 2 && kernelColumns == 3),
            "DepthwiseSpanAVX512.edgeRun: \(kernelRows) × \(kernelColumns) taps")
        let lowV = V(repeating: low), highV = V(repeating: high)
        let (o1, o2, o3, o4, o5) =
            kernelRows == 3
            ? (c, rowStride, rowStride + c, 2 * rowStride, 2 * rowStride + c) : (c, 2 * c, rowStride, rowStride + c, rowStride + 2 * c)
        let (t1, t2, t3, t4, t5) = kernelRows == 3 ? (c, 3 * c, 4 * c, 6 * c, 7 * c) : (c, 2 * c, 3 * c, 4 * c, 5 * c)
        /// One channel vector of one pixel: the six taps in order.
        @inline(__always)
        func vector(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> V {
            var acc = load(b).addingProduct(load(x), load(w))
            acc = acc.addingProduct(load(x + o1), load(w + t1))
            acc = acc.addingProduct(load(x + o2), load(w + t2))
            acc = acc.addingProduct(load(x + o3), load(w + t3))
            acc = acc.addingProduct(load(x + o4), load(w + t4))
            acc = acc.addingProduct(load(x + o5), load(w + t5))
            return GEMMPanelAVX512.clamp(acc, lowV, highV)
        }
        var x = src
        var o = dst
        for _ in 0..<pixels {
            var ch = 0
            // Four channel vectors at a time: four independent chains of six dependent FMAs.
            while ch + 4 * width <= count {
                let a0 = vector(x + ch, weights + ch, bias + ch), a1 = vector(x + ch + 16, weights + ch + 16, bias + ch + 16)
                let a2 = vector(x + ch + 32, weights + ch + 32, bias + ch + 32), a3 = vector(x + ch + 48, weights + ch + 48, bias + ch + 48)
                store(a0, o + ch)
                store(a1, o + ch + 16)
                store(a2, o + ch + 32)
                store(a3, o + ch + 48)
                ch += 4 * width
            }
            while ch < count {
                store(vector(x + ch, weights + ch, bias + ch), o + ch)
                ch += width
            }
            x += inputStep
            o += outputStep
        }
    }

    /// One output vector from its 3×3 window, in the 8-wide kernel's order of operations.
    @inline(__always)
    static func pixel(
        _ b: V, _ k: (V, V, V, V, V, V, V, V, V), _ row0: (V, V, V), _ row1: (V, V, V), _ row2: (V, V, V), _ low: V, _ high: V
    ) -> V {
        var a0 = b.addingProduct(row0.0, k.0)
        var a1 = row1.0 * k.3
        var a2 = row2.0 * k.6
        a0 = a0.addingProduct(row0.1, k.1)
        a1 = a1.addingProduct(row1.1, k.4)
        a2 = a2.addingProduct(row2.1, k.7)
        a0 = a0.addingProduct(row0.2, k.2)
        a1 = a1.addingProduct(row1.2, k.5)
        a2 = a2.addingProduct(row2.2, k.8)
        return GEMMPanelAVX512.clamp(a0 + (a1 + a2), low, high)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
}
