/// Convolution as SGEMM over NHWC activations: `out[P × Cout] = col[P × K] · W[K × Cout]`, `K = kh·kw·Cin`.
///
/// A 1×1, stride-1, unpadded convolution uses the input itself as `col` (no copy). Every other geometry with one group
/// builds `col` (implicit im2col) for a block of output pixels at a time, so scratch memory stays bounded. Weights are
/// repacked once from OIHW to `[(ky, kx, ci) × co]`. Bias and activation are applied to each block right after its SGEMM,
/// while it is still in cache.
struct GEMMConvolution {
    let geometry: ConvolutionGeometry
    /// `[K × Cout]` weights.
    let weights: TensorStorage
    let bias: TensorStorage?
    let activation: FusedActivation
    /// True when the input is used directly as the GEMM's A matrix.
    let isPointwise: Bool
    /// Output pixels per SGEMM block.
    let blockPixels: Int

    static func supports(_ g: ConvolutionGeometry) -> Bool { g.groups == 1 }

    init(geometry g: ConvolutionGeometry, weights oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation) {
        precondition(Self.supports(g), "GEMMConvolution: grouped geometry \(g)")
        geometry = g
        self.activation = activation
        let cin = g.inputChannels, cout = g.outputChannels, kh = g.kernelHeight, kw = g.kernelWidth
        let k = kh * kw * cin
        weights = TensorStorage(count: k * cout)
        for co in 0..<cout {
            for ci in 0..<cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        weights.pointer[((ky * kw + kx) * cin + ci) * cout + co] = oihw[((co * cin + ci) * kh + ky) * kw + kx]
                    }
                }
            }
        }
        self.bias = bias.map { TensorStorage(copying: UnsafeBufferPointer(start: $0, count: cout)) }
        isPointwise = kh == 1 && kw == 1 && g.strideY == 1 && g.strideX == 1 && g.padding == .zero
        blockPixels = Self.blockPixels(k: k, cout: cout, pixels: g.outputHeight * g.outputWidth, pointwise: isPointwise)
    }

    /// Block size: keep the im2col block (or the output block) around L2 size, but make it tall enough that OpenBLAS's
    /// repacking of the `K × Cout` weights is amortised over many rows.
    static func blockPixels(k: Int, cout: Int, pixels: Int, pointwise: Bool) -> Int {
        let cacheFloats = 192 * 1024
        let rowFloats = pointwise ? cout : max(k, cout)
        let byCache = cacheFloats / max(rowFloats, 1)
        let byWeights = (k * cout) / 2048
        return min(pixels, max(64, byCache, byWeights))
    }

    /// Floats of scratch `run` needs.
    var scratchCount: Int { isPointwise ? 0 : blockPixels * geometry.kernelHeight * geometry.kernelWidth * geometry.inputChannels }

    /// Runs block by block. With several threads, each task takes a contiguous share of every block's rows and does all of
    /// it alone (im2col, SGEMM, bias and activation), so OpenBLAS should run single-threaded (``Network`` sets that): one
    /// fork/join per block, and no OpenBLAS workers spinning against the pool's threads after each call.
    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?, pool: ComputePool) {
        let g = geometry
        let pixels = g.outputHeight * g.outputWidth
        let k = g.kernelHeight * g.kernelWidth * g.inputChannels
        if !isPointwise && scratch == nil { preconditionFailure("GEMMConvolution: im2col needs \(scratchCount) floats of scratch") }
        var start = 0
        while start < pixels {
            let count = min(blockPixels, pixels - start)
            let first = start
            pool.parallelRanges(count, minimumChunk: 32) { range in
                rows(
                    first + range.lowerBound, count: range.count, input: input, output: output,
                    col: isPointwise ? nil : scratch.map { $0 + range.lowerBound * k })
            }
            start += count
        }
    }

    /// Output rows `first ..< first + count`; `col` holds `count × K` floats (nil for a pointwise convolution).
    private func rows(
        _ first: Int, count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        col: UnsafeMutablePointer<Float>?
    ) {
        let g = geometry
        let k = g.kernelHeight * g.kernelWidth * g.inputChannels
        let cout = g.outputChannels
        let a: UnsafePointer<Float>
        if let col {
            Im2col.fill(g, input: input, firstPixel: first, pixels: count, into: col)
            a = UnsafePointer(col)
        } else {
            a = input + first * k
        }
        let c = output + first * cout
        let fillBias = bias != nil && activation == .none
        if fillBias, let bias {
            VectorPointwise.fillRows(c, pixels: count, channels: cout, bias: bias.pointer)
        }
        BLAS.sgemm(
            m: count, n: cout, k: k, a: a, lda: k, b: weights.pointer, ldb: cout, beta: fillBias ? 1 : 0,
            c: c, ldc: cout)
        if !fillBias {
            VectorPointwise.biasActivate(
                c, pixels: count, channels: cout, bias: bias.map { UnsafePointer($0.pointer) },
                activation: activation)
        }
    }
}

/// Builds im2col rows for NHWC input: row `p` holds, for each tap (ky, kx), the `Cin` input values under that tap
/// (zeros where the tap falls in the padding).
enum Im2col {
    /// Lends `body` the OIHW `weights` of an ungrouped `g` as a dense `[Cout][K]` matrix in the rows' order: OIHW
    /// element (co, ci, ky, kx) at K index (ky·kw + kx)·Cin + ci.
    static func withRowOrderWeights<R>(_ g: ConvolutionGeometry, _ weights: UnsafePointer<Float>, _ body: (UnsafePointer<Float>) -> R) -> R {
        let cin = g.inputChannels, cout = g.outputChannels, kh = g.kernelHeight, kw = g.kernelWidth
        let k = kh * kw * cin
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: k * cout) { dense in
            for co in 0..<cout {
                for ci in 0..<cin {
                    for ky in 0..<kh {
                        for kx in 0..<kw { dense[co * k + (ky * kw + kx) * cin + ci] = weights[((co * cin + ci) * kh + ky) * kw + kx] }
                    }
                }
            }
            return body(dense.baseAddress!)
        }
    }

    static func fill(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, firstPixel: Int, pixels: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let cin = g.inputChannels, ow = g.outputWidth
        let k = g.kernelHeight * g.kernelWidth * cin
        let end = col + pixels * k
        for i in 0..<pixels {
            let p = firstPixel + i
            let oy = p / ow, ox = p - oy * ow
            var dst = col + i * k
            for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                let rowInside = iy >= 0 && iy < g.inputHeight
                let ix0 = ox * g.strideX - g.padding.left
                if rowInside && g.dilationX == 1 && ix0 >= 0 && ix0 + g.kernelWidth <= g.inputWidth {
                    // All taps of this kernel row are adjacent pixels: one contiguous copy.
                    let span = g.kernelWidth * cin
                    copy(input + (iy * g.inputWidth + ix0) * cin, to: dst, count: span, end: end)
                    dst += span
                    continue
                }
                for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                    if rowInside && ix >= 0 && ix < g.inputWidth {
                        copy(input + (iy * g.inputWidth + ix) * cin, to: dst, count: cin, end: end)
                    } else {
                        dst.update(repeating: 0, count: cin)
                    }
                    dst += cin
                }
            }
        }
    }

    /// Copies `count` floats. Short spans (the 3-channel stem copies 9 floats per kernel row) go by whole vectors instead of
    /// a `memmove` call: the last vector may read past the source (tensor storages have ``TensorEngineInfo/overReadSlack``
    /// bytes of slack) and write past `count`, but only below `end`, into columns that this fill writes next anyway.
    @inline(__always)
    private static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int, end: UnsafeMutablePointer<Float>) {
        let w = VectorPointwise.width
        if count > 8 * w {
            dst.update(from: src, count: count)
            return
        }
        var j = 0
        while j + w <= count || (j < count && dst + j + w <= end) {
            VectorPointwise.store(VectorPointwise.load(src + j), dst + j)
            j += w
        }
        while j < count {
            dst[j] = src[j]
            j += 1
        }
    }
}
