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

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?, pool: ComputePool) {
        let g = geometry
        let pixels = g.outputHeight * g.outputWidth
        let k = g.kernelHeight * g.kernelWidth * g.inputChannels
        let cout = g.outputChannels
        var start = 0
        while start < pixels {
            let count = min(blockPixels, pixels - start)
            let a: UnsafePointer<Float>
            if isPointwise {
                a = input + start * k
            } else {
                guard let scratch else { preconditionFailure("GEMMConvolution: im2col needs \(scratchCount) floats of scratch") }
                pool.parallelRanges(count, minimumChunk: 16) { range in
                    Im2col.fill(g, input: input, firstPixel: start + range.lowerBound, pixels: range.count,
                                into: scratch + range.lowerBound * k)
                }
                a = UnsafePointer(scratch)
            }
            let c = output + start * cout
            let fillBias = bias != nil && activation == .none
            if fillBias, let bias {
                VectorPointwise.fillRows(c, pixels: count, channels: cout, bias: bias.pointer)
            }
            BLAS.sgemm(m: count, n: cout, k: k, a: a, lda: k, b: weights.pointer, ldb: cout, beta: fillBias ? 1 : 0,
                       c: c, ldc: cout)
            if !fillBias {
                let biasPointer = bias.map { UnsafePointer($0.pointer) }
                pool.parallelRanges(count, minimumChunk: 32) { range in
                    VectorPointwise.biasActivate(c + range.lowerBound * cout, pixels: range.count, channels: cout,
                                                 bias: biasPointer, activation: activation)
                }
            }
            start += count
        }
    }
}

/// Builds im2col rows for NHWC input: row `p` holds, for each tap (ky, kx), the `Cin` input values under that tap
/// (zeros where the tap falls in the padding).
enum Im2col {
    static func fill(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, firstPixel: Int, pixels: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let cin = g.inputChannels, ow = g.outputWidth
        let k = g.kernelHeight * g.kernelWidth * cin
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
                    dst.update(from: input + (iy * g.inputWidth + ix0) * cin, count: span)
                    dst += span
                    continue
                }
                for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                    if rowInside && ix >= 0 && ix < g.inputWidth {
                        dst.update(from: input + (iy * g.inputWidth + ix) * cin, count: cin)
                    } else {
                        dst.update(repeating: 0, count: cin)
                    }
                    dst += cin
                }
            }
        }
    }
}
