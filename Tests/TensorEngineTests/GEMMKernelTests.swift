import TestSupport
import Testing

@testable import TensorEngine
@testable import TensorKernelsAVX512

/// Both GEMM inner kernels (the 8-wide one and, on CPUs that have it, AVX-512) against a plain triple loop, and the
/// tiled GEMM and Winograd convolutions on each of them against the reference convolution: the process-wide choice
/// (``GEMMKernel/preferred``) tests only one.
@Suite("GEMM inner kernels")
struct GEMMKernelTests {
    @Test(arguments: GEMMKernel.available)
    func panelMatchesTripleLoop(_ kernel: GEMMKernel) {
        var rng = SplitMix64(seed: 21)
        let nr = kernel.panelWidth
        for (rows, depth, cols) in [(1, 1, 1), (5, 3, nr), (kernel.tileRows, 64, nr - 1), (17, 70, 7), (25, 9, nr / 2 + 1)] {
            let lda = depth + 3, ldc = nr + 5
            let a = (0..<(rows * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(depth * nr)).map { _ in Float.random(in: -1...1, using: &rng) }
            let sentinel: Float = 12345
            var c = [Float](repeating: sentinel, count: rows * ldc)
            kernel.multiplyPanel(a, lda: lda, rows: rows, depth: depth, b, &c, ldc: ldc, cols: cols)
            var worst: Float = 0
            var untouched = true
            for r in 0..<rows {
                for j in 0..<ldc {
                    if j >= cols {
                        untouched = untouched && c[r * ldc + j] == sentinel
                        continue
                    }
                    var sum: Float = 0
                    for k in 0..<depth { sum += a[r * lda + k] * b[k * nr + j] }
                    worst = max(worst, abs(sum - c[r * ldc + j]))
                }
            }
            #expect(worst <= 1e-4, "\(kernel) rows \(rows) depth \(depth) cols \(cols): max |Δ| \(worst)")
            #expect(untouched, "\(kernel) rows \(rows) depth \(depth) cols \(cols) wrote past its columns")
        }
    }

    /// A panel of at most 16 real columns runs the one-vector tile: the same sums as the two-vector tile, bit for bit,
    /// with and without the fused bias and clamp, for every row count of a tile.
    @Test(arguments: [1, 6, 12, 16])
    func narrowAVX512TileEqualsTheFullTile(cols: Int) {
        guard CPUFeatures.hasAVX512 else { return }
        var rng = SplitMix64(seed: 25)
        let depth = 37, lda = depth + 1, ldc = 33
        for rows in 1...GEMMPanelAVX512.tileRows {
            let a = (0..<(rows * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(depth * 32)).map { _ in Float.random(in: -1...1, using: &rng) }
            let bias = (0..<32).map { _ in Float.random(in: -1...1, using: &rng) }
            let start = bias.withUnsafeBufferPointer { (GEMMPanelAVX512.load($0.baseAddress!), GEMMPanelAVX512.load($0.baseAddress! + 16)) }
            let bounds = (SIMD16<Float>(repeating: 0), SIMD16<Float>(repeating: 0.75))
            var narrow = [Float](repeating: 7, count: rows * ldc), full = narrow
            GEMMPanelAVX512.multiplyNarrowPanel(
                a, lda: lda, rows: rows, depth: depth, b, bias: bias, low: 0, high: 0.75, &narrow, ldc: ldc, cols: cols)
            GEMMPanelAVX512.tile(a, lda: lda, rows: rows, depth: depth, b, &full, ldc: ldc, cols: cols, start: start, bounds: bounds)
            #expect(narrow == full, "cols \(cols) rows \(rows), bias and clamp")
            var plainNarrow = [Float](repeating: 7, count: rows * ldc), plainFull = plainNarrow
            GEMMPanelAVX512.multiplyNarrowPanel(a, lda: lda, rows: rows, depth: depth, b, &plainNarrow, ldc: ldc, cols: cols)
            GEMMPanelAVX512.tile(a, lda: lda, rows: rows, depth: depth, b, &plainFull, ldc: ldc, cols: cols)
            #expect(plainNarrow == plainFull, "cols \(cols) rows \(rows)")
        }
    }

    @Test func packedGEMMMatchesTripleLoop() {
        var rng = SplitMix64(seed: 24)
        for (m, n, k) in [(1, 1, 1), (9, 33, 70), (40, 64, 17), (3, 100, 5)] {
            for accumulate in [false, true] {
                let lda = k + 2, ldb = n + 3, ldc = n + 1
                let a = (0..<(m * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
                let b = (0..<(k * ldb)).map { _ in Float.random(in: -1...1, using: &rng) }
                let initial = (0..<(m * ldc)).map { _ in Float.random(in: -1...1, using: &rng) }
                var c = initial
                PackedGEMM.multiply(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: ldc, accumulate: accumulate)
                var worst: Float = 0
                var untouched = true
                for i in 0..<m {
                    for j in 0..<ldc {
                        if j >= n {
                            untouched = untouched && c[i * ldc + j] == initial[i * ldc + j]
                            continue
                        }
                        var sum: Float = accumulate ? initial[i * ldc + j] : 0
                        for t in 0..<k { sum += a[i * lda + t] * b[t * ldb + j] }
                        worst = max(worst, abs(sum - c[i * ldc + j]))
                    }
                }
                #expect(worst <= 1e-4, "\(m)x\(n)x\(k) accumulate \(accumulate): max |Δ| \(worst)")
                #expect(untouched, "\(m)x\(n)x\(k): wrote outside its columns")
            }
        }
    }

    @Test(arguments: GEMMKernel.available)
    func tiledGEMMMatchesReference(_ kernel: GEMMKernel) {
        for c in tiledGEMMCases + [gemmCases[1], gemmCases[2], gemmCases[7]] {
            var rng = SplitMix64(seed: 23)
            let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
            let wt = Tensor.random(shape: [c.cout, c.cin, c.k, c.k], in: -0.5...0.5, using: &rng)
            let b = c.bias ? Tensor.random(shape: [c.cout], using: &rng) : nil
            let expected = x.conv2d(weights: wt, bias: b, options: c.options, algorithm: .reference)
            let g = ConvolutionGeometry(
                inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: c.cout,
                kernelHeight: c.k, kernelWidth: c.k, strideY: c.stride, strideX: c.stride,
                dilationY: c.dilation, dilationX: c.dilation, padding: c.padding)
            let conv: TiledGEMMConvolution = wt.withUnsafeBufferPointer { w in
                if let b {
                    return b.withUnsafeBufferPointer { bias in
                        TiledGEMMConvolution(
                            geometry: g, weights: w.baseAddress!, bias: bias.baseAddress!, activation: c.activation,
                            kernel: kernel)
                    }
                }
                return TiledGEMMConvolution(geometry: g, weights: w.baseAddress!, bias: nil, activation: c.activation, kernel: kernel)
            }
            for threads in [1, 2] {
                var y = Tensor(shape: expected.shape)
                x.withUnsafeBufferPointer { input in
                    y.withUnsafeMutableBufferPointer { out in
                        conv.run(input: input.baseAddress!, output: out.baseAddress!, pool: ComputePool(threadCount: threads))
                    }
                }
                assertClose(y, expected, tolerance: ConvolutionParityTests.tolerance, "\(kernel) \(threads) threads \(c.testDescription)")
            }
        }
    }

    /// On AVX-512, convolutions larger than 1×1 read interior pixels in place (no im2col) and the padded border on im2col
    /// rows; the results equal the 8-wide kernel's on im2col rows bit for bit, for whole maps and for pixel ranges that
    /// start and end inside a row (the fused blocks' bands).
    @Test(
        .enabled(if: GEMMKernel.available.contains(.avx512), "no AVX-512 on this CPU"),
        arguments: [
            // (h, w, cin, cout, k, stride, padding): SSDLite's stem (TF SAME: bottom/right only), padding on every
            // side, 5×5, a strided 1×1 (not pointwise), two panels with a narrow last one, a map smaller than the kernel.
            (61, 300, 3, 32, 3, 2, Padding2D(top: 0, left: 0, bottom: 1, right: 1)), (9, 11, 8, 40, 3, 1, Padding2D.uniform(1)),
            (12, 10, 5, 16, 5, 1, Padding2D.uniform(2)), (9, 9, 16, 24, 1, 2, Padding2D.zero), (7, 13, 4, 72, 3, 2, Padding2D.uniform(1)),
            (2, 2, 3, 8, 3, 1, Padding2D.uniform(1)),
        ])
    func inPlaceRowsEqualIm2colRows(_ c: (Int, Int, Int, Int, Int, Int, Padding2D)) {
        let (h, w, cin, cout, k, stride, padding) = c
        var rng = SplitMix64(seed: 29)
        let x = Tensor.random(shape: [h, w, cin], using: &rng)
        let wt = Tensor.random(shape: [cout, cin, k, k], in: -0.5...0.5, using: &rng)
        let b = Tensor.random(shape: [cout], using: &rng)
        let g = ConvolutionGeometry(
            inputHeight: h, inputWidth: w, inputChannels: cin, outputChannels: cout, kernelHeight: k, kernelWidth: k, strideY: stride,
            strideX: stride, padding: padding)
        let (wide, narrow) = wt.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
                (
                    TiledGEMMConvolution(geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: .relu6, kernel: .avx512),
                    TiledGEMMConvolution(geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: .relu6, kernel: .vector)
                )
            }
        }
        #expect(wide.readsInPlace && !narrow.readsInPlace)
        let pixels = g.outputHeight * g.outputWidth
        // The whole map, then ranges cut inside rows.
        for range in [0..<pixels, (pixels / 3 + 1)..<(pixels * 2 / 3 + 2), 1..<max(1, pixels - 1)] where !range.isEmpty {
            let differing = compareTiledGEMM(wide, narrow, input: x, pixels: range).differing
            #expect(differing == 0, "\(h)x\(w)x\(cin) k\(k) s\(stride) → \(cout), pixels \(range): \(differing) values differ")
        }
    }

    @Test(arguments: GEMMKernel.available)
    func winogradMatchesReference(_ kernel: GEMMKernel) {
        for c in [winogradCases[1], winogradCases[2], winogradCases[3], winogradCases[9]] {
            var rng = SplitMix64(seed: 22)
            let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
            let wt = Tensor.random(shape: [c.cout, c.cin, 3, 3], in: -0.5...0.5, using: &rng)
            let b = Tensor.random(shape: [c.cout], using: &rng)
            let expected = x.conv2d(weights: wt, bias: b, options: c.options, algorithm: .reference)
            let g = ConvolutionGeometry(
                inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: c.cout,
                kernelHeight: 3, kernelWidth: 3, padding: c.padding)
            let conv = wt.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { bias in
                    WinogradConvolution(
                        geometry: g, weights: w.baseAddress!, bias: bias.baseAddress!, activation: c.activation,
                        kernel: kernel)
                }
            }
            let scale = expected.values.reduce(0) { max($0, abs($1)) }
            for threads in [1, 2] {
                let pool = ComputePool(threadCount: threads)
                let scratch = TensorStorage(count: conv.scratchCount(threads: threads))
                var y = Tensor(shape: expected.shape)
                x.withUnsafeBufferPointer { input in
                    y.withUnsafeMutableBufferPointer { out in
                        conv.run(input: input.baseAddress!, output: out.baseAddress!, scratch: scratch.pointer, pool: pool)
                    }
                }
                let error = zip(y.values, expected.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
                #expect(
                    error <= ConvolutionParityTests.winogradTolerance * max(scale, 1),
                    "\(kernel) \(threads) threads \(c.testDescription): max |Δ| \(error), max |y| \(scale)")
            }
        }
    }
}
