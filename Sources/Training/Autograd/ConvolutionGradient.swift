import TensorEngine

/// Forward and backward of one convolution node for one NHWC image, with the node's weights fixed for the step.
///
/// Ungrouped convolutions use im2col + SGEMM in chunks of output pixels (the column matrix of a chunk stays a few MB):
/// forward `Y = cols · W_kc`, weight gradient `dW_kc += colsᵀ · dZ`, input gradient `dcols = dZ · W_ck` then col2im.
/// Grouped and depthwise convolutions run the reference loops directly (their GEMMs would be K = kh·kw thin).
///
/// 3×3 stride-1 convolutions on large enough maps (the VGG16 layers) run the forward pass, and the input gradient —
/// itself a 3×3 stride-1 convolution of `dZ` with the flipped, transposed weights — on the engine's Winograd kernel
/// (``TensorEngine/ConvolutionAlgorithm/winograd``), a quarter of the multiplications; the weight gradient stays
/// on SGEMM.
struct ConvolutionGradient {
    let geometry: ConvolutionGeometry
    let activation: FusedActivation
    /// OIHW weights.
    let weights: [Float]
    let bias: [Float]?
    /// `[K, Cout]` with `k = (ky·kw + kx)·Cin + ci` (ungrouped only).
    private let weightsKC: [Float]
    /// `[Cout, K]` (OHWI; ungrouped only).
    private let weightsCK: [Float]
    /// The forward pass on the Winograd kernel, where it applies.
    let fastForward: Convolution2D?
    /// `dX = conv(dZ, flipped transposed W)` on the Winograd kernel, where it applies.
    let fastInputGradient: Convolution2D?

    /// Floats in one column chunk; bounds the scratch memory per thread.
    private static let chunkFloats = 1 << 20

    init(geometry: ConvolutionGeometry, activation: FusedActivation, weights: [Float], bias: [Float]?) {
        self.geometry = geometry
        self.activation = activation
        self.weights = weights
        self.bias = bias
        if geometry.groups == 1 {
            let cout = geometry.outputChannels, cin = geometry.inputChannels
            let kh = geometry.kernelHeight, kw = geometry.kernelWidth
            let k = kh * kw * cin
            var kc = [Float](repeating: 0, count: k * cout)
            var ck = [Float](repeating: 0, count: k * cout)
            for co in 0..<cout {
                for ci in 0..<cin {
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let w = weights[((co * cin + ci) * kh + ky) * kw + kx]
                            let row = (ky * kw + kx) * cin + ci
                            kc[row * cout + co] = w
                            ck[co * k + row] = w
                        }
                    }
                }
            }
            weightsKC = kc
            weightsCK = ck
        } else {
            weightsKC = []
            weightsCK = []
        }
        (fastForward, fastInputGradient) = Self.winogradKernels(geometry, activation: activation, weights: weights, bias: bias)
    }

    /// The forward and input-gradient convolutions on the Winograd kernel, each nil where it does not apply.
    private static func winogradKernels(
        _ g: ConvolutionGeometry, activation: FusedActivation, weights: [Float], bias: [Float]?
    ) -> (Convolution2D?, Convolution2D?) {
        guard g.groups == 1, ConvolutionAlgorithm.preferred(for: g) == .winograd else { return (nil, nil) }
        let forward = weights.withUnsafeBufferPointer { w in
            guard let bias else { return Convolution2D(geometry: g, weights: w, bias: nil, activation: activation, algorithm: .winograd) }
            return bias.withUnsafeBufferPointer { b in
                Convolution2D(geometry: g, weights: w, bias: b, activation: activation, algorithm: .winograd)
            }
        }
        // The adjoint of a stride-1 convolution: swap the channel roles, flip the window, and pad each side by the
        // window's reach minus the forward padding, so the output is the input's size again.
        let reachY = g.dilationY * (g.kernelHeight - 1), reachX = g.dilationX * (g.kernelWidth - 1)
        let padding = Padding2D(
            top: reachY - g.padding.top, left: reachX - g.padding.left,
            bottom: reachY - g.padding.bottom, right: reachX - g.padding.right)
        let adjoint = ConvolutionGeometry(
            inputHeight: g.outputHeight, inputWidth: g.outputWidth, inputChannels: g.outputChannels,
            outputChannels: g.inputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
            dilationY: g.dilationY, dilationX: g.dilationX, padding: padding)
        guard padding.top >= 0, padding.left >= 0, padding.bottom >= 0, padding.right >= 0, adjoint.invalidReason == nil,
            adjoint.outputHeight == g.inputHeight, adjoint.outputWidth == g.inputWidth,
            ConvolutionAlgorithm.preferred(for: adjoint) == .winograd
        else { return (forward, nil) }
        let kh = g.kernelHeight, kw = g.kernelWidth, cin = g.inputChannels, cout = g.outputChannels
        var flipped = [Float](repeating: 0, count: weights.count)
        for co in 0..<cout {
            for ci in 0..<cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        flipped[((ci * cout + co) * kh + (kh - 1 - ky)) * kw + (kw - 1 - kx)] = weights[((co * cin + ci) * kh + ky) * kw + kx]
                    }
                }
            }
        }
        let inputGradient = flipped.withUnsafeBufferPointer { w in
            Convolution2D(geometry: adjoint, weights: w, bias: nil, activation: .none, algorithm: .winograd)
        }
        return (forward, inputGradient)
    }

    /// Runs `conv` on one thread with scratch of its own.
    private static func run(_ conv: Convolution2D, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let pool = ComputePool(threadCount: 1)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, conv.scratchCount(threads: 1)))
        defer { scratch.deallocate() }
        conv.run(input: x, output: y, scratch: scratch, pool: pool)
    }

    private var columnCount: Int { geometry.kernelHeight * geometry.kernelWidth * geometry.inputChannels }
    private var pixelCount: Int { geometry.outputHeight * geometry.outputWidth }
    private var chunkRows: Int { max(1, min(pixelCount, Self.chunkFloats / columnCount)) }

    /// `y = act(conv(x) + bias)` for one image.
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        if let fastForward {
            Self.run(fastForward, x, y)
            return
        }
        let cout = geometry.outputChannels
        for m in 0..<pixelCount {
            if let bias { (y + m * cout).update(from: bias, count: cout) } else { (y + m * cout).update(repeating: 0, count: cout) }
        }
        if geometry.groups == 1 {
            let k = columnCount, chunk = chunkRows
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: chunk * k)
            defer { cols.deallocate() }
            weightsKC.withUnsafeBufferPointer { w in
                for start in stride(from: 0, to: pixelCount, by: chunk) {
                    let pixels = start..<min(start + chunk, pixelCount)
                    Im2col.gather(geometry, x, pixels: pixels, into: cols)
                    BLAS.sgemm(
                        m: pixels.count, n: cout, k: k, a: cols, lda: k, b: w.baseAddress!, ldb: cout, beta: 1,
                        c: y + start * cout, ldc: cout)
                }
            }
        } else {
            weights.withUnsafeBufferPointer { w in directForward(x, w.baseAddress!, y) }
        }
        if activation != .none {
            for i in 0..<pixelCount * cout { y[i] = activation.apply(y[i]) }
        }
    }

    /// Accumulates the gradients of one image into `dWeights` (OIHW), `dBias` and `dx`, each when given.
    ///
    /// - Parameters:
    ///   - y: the forward output (after the activation), used for the activation's derivative.
    ///   - dy: the gradient with respect to `y`.
    ///   - dWeights: nil for a frozen weight (its GEMM is skipped).
    func backward(
        x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
        dWeights: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
    ) {
        let cout = geometry.outputChannels, m = pixelCount
        let dz = UnsafeMutablePointer<Float>.allocate(capacity: m * cout)
        defer { dz.deallocate() }
        ActivationGradient.apply(activation, output: y, gradient: dy, into: dz, count: m * cout)
        if let dBias {
            for p in 0..<m {
                let row = dz + p * cout
                for co in 0..<cout { dBias[co] += row[co] }
            }
        }
        if geometry.groups == 1, let fastInputGradient {
            if let dx {
                let count = geometry.inputHeight * geometry.inputWidth * geometry.inputChannels
                let gradient = UnsafeMutablePointer<Float>.allocate(capacity: count)
                defer { gradient.deallocate() }
                Self.run(fastInputGradient, dz, gradient)
                for i in 0..<count { dx[i] += gradient[i] }
            }
            if dWeights != nil { gemmBackward(x: x, dz: dz, dx: nil, dWeights: dWeights) }
        } else if geometry.groups == 1 {
            gemmBackward(x: x, dz: dz, dx: dx, dWeights: dWeights)
        } else {
            weights.withUnsafeBufferPointer { w in directBackward(x: x, w: w.baseAddress!, dz: dz, dx: dx, dWeights: dWeights) }
        }
    }

    private func gemmBackward(
        x: UnsafePointer<Float>, dz: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, dWeights: UnsafeMutablePointer<Float>?
    ) {
        let g = geometry, cout = g.outputChannels, cin = g.inputChannels, k = columnCount, chunk = chunkRows
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: chunk * k)
        let dKC = UnsafeMutablePointer<Float>.allocate(capacity: k * cout)
        dKC.initialize(repeating: 0, count: k * cout)
        defer {
            cols.deallocate()
            dKC.deallocate()
        }
        for start in stride(from: 0, to: pixelCount, by: chunk) {
            let pixels = start..<min(start + chunk, pixelCount)
            if dWeights != nil {
                Im2col.gatherTransposed(g, x, pixels: pixels, into: cols)
                PackedGEMM.multiply(
                    m: k, n: cout, k: pixels.count, a: cols, lda: pixels.count, b: dz + start * cout,
                    ldb: cout, c: dKC, ldc: cout, accumulate: true)
            }
            if let dx {
                weightsCK.withUnsafeBufferPointer { w in
                    BLAS.sgemm(
                        m: pixels.count, n: k, k: cout, a: dz + start * cout, lda: cout, b: w.baseAddress!, ldb: k,
                        beta: 0, c: cols, ldc: k)
                }
                Im2col.scatterAdd(g, cols, pixels: pixels, into: dx)
            }
        }
        guard let dWeights else { return }
        let kh = g.kernelHeight, kw = g.kernelWidth
        for co in 0..<cout {
            for ci in 0..<cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        dWeights[((co * cin + ci) * kh + ky) * kw + kx] += dKC[((ky * kw + kx) * cin + ci) * cout + co]
                    }
                }
            }
        }
    }

    /// The reference convolution's loops (grouped): `y` already holds the bias.
    private func directForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let g = geometry, cinG = g.inputChannelsPerGroup, coutG = g.outputChannels / g.groups
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let out = y + (oy * g.outputWidth + ox) * g.outputChannels
                for co in 0..<g.outputChannels {
                    let group = co / coutG
                    var sum: Float = 0
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                        if iy < 0 || iy >= g.inputHeight { continue }
                        for kx in 0..<g.kernelWidth {
                            let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                            if ix < 0 || ix >= g.inputWidth { continue }
                            let pixel = (iy * g.inputWidth + ix) * g.inputChannels + group * cinG
                            for ci in 0..<cinG {
                                sum += x[pixel + ci] * w[((co * cinG + ci) * g.kernelHeight + ky) * g.kernelWidth + kx]
                            }
                        }
                    }
                    out[co] += sum
                }
            }
        }
    }

    /// The adjoint of ``directForward``: every multiply-accumulate sends `dz` back to the weight and the input tap.
    private func directBackward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, dz: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
        dWeights: UnsafeMutablePointer<Float>?
    ) {
        let g = geometry, cinG = g.inputChannelsPerGroup, coutG = g.outputChannels / g.groups
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let gradient = dz + (oy * g.outputWidth + ox) * g.outputChannels
                for co in 0..<g.outputChannels {
                    let d = gradient[co]
                    if d == 0 { continue }
                    let group = co / coutG
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                        if iy < 0 || iy >= g.inputHeight { continue }
                        for kx in 0..<g.kernelWidth {
                            let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                            if ix < 0 || ix >= g.inputWidth { continue }
                            let pixel = (iy * g.inputWidth + ix) * g.inputChannels + group * cinG
                            for ci in 0..<cinG {
                                let index = ((co * cinG + ci) * g.kernelHeight + ky) * g.kernelWidth + kx
                                dWeights?[index] += d * x[pixel + ci]
                                dx?[pixel + ci] += d * w[index]
                            }
                        }
                    }
                }
            }
        }
    }
}
