import TensorKernelsX86
import TestSupport
import Testing

@testable import TensorEngine

/// The BF16 convolution paths (``Precision/bf16``): the tiled GEMM (1×1 and im2col) and Winograd's products on the
/// `vdpbf16ps` tile. Each is run with the scalar C reference tile (``BF16Kernel/reference``: bf16-rounded inputs,
/// float32 sums) and, on CPUs with AVX-512 BF16, with the instruction's tile, which must give the same floats at 1 and 2
/// threads. The reference path is checked against the error model: the tiled GEMM against a float32 reference
/// convolution of the bf16-rounded input and weights (tight: only the order of float32 sums differs), Winograd against
/// the fp32 direct convolution within a bf16 bound.
@Suite("BF16 convolutions")
struct BF16ConvolutionTests {
    /// Whether this CPU runs the `vdpbf16ps` paths; the tests that need it are skipped elsewhere, with this reason.
    static let hasBF16 = BF16Kernel.avx512bf16.isAvailable
    static let skipReason: Comment = "this CPU lacks AVX-512 BF16 (avx512_bf16): the vdpbf16ps paths cannot run here"

    /// Winograd in bf16 against the fp32 direct convolution, relative to the largest |output|. V and U are rounded to
    /// 8 significant bits and the transforms amplify that rounding (Bᵀ's 4s and 5s, Aᵀ's 8s): measured here up to
    /// 6.7e-2 × max |y|, as `tools/winograd_bf16_error.py` predicts for F(4×4, 3×3) (6.7e-2 with both rounded, 4.5e-2
    /// with V alone; a direct bf16 convolution: 2.6e-3). fp32 Winograd: 2e-5. A wrong layout or position gives errors
    /// of the order of max |y| itself.
    static let winogradTolerance: Float = 0.1

    @Test(.enabled(if: hasBF16, skipReason))
    func vectorConversionEqualsScalar() {
        var rng = SplitMix64(seed: 51)
        for (rows, count, ldx) in [(1, 1, 1), (3, 7, 9), (2, 16, 16), (5, 33, 40), (4, 64, 64), (1, 131, 131)] {
            let padded = (count + 1) / 2 * 2
            var x = (0..<(rows * ldx)).map { _ in Float.random(in: -100...100, using: &rng) }
            x[0] = 0
            if x.count > 1 { x[1] = -3.0e38 }  // rounds to -infinity's neighbour, not past it
            if x.count > 2 { x[2] = 1 + 1.0 / 256 }  // a tie: to even
            var scalar = [UInt16](repeating: 0xFFFF, count: rows * padded), vector = scalar
            ssdd_bf16_convert_rows(x, ldx, rows, count, padded, &scalar)
            ssdd_bf16_convert_rows_avx512bf16(x, ldx, rows, count, padded, &vector)
            #expect(vector == scalar, "rows \(rows) count \(count) ldx \(ldx)")
            #expect(scalar[0] == 0 && (count < 3 || scalar[2] == 0x3F80))
        }
    }

    @Test(arguments: tiledGEMMCases + [gemmCases[1], gemmCases[2], gemmCases[6], gemmCases[9], gemmCases[11], gemmCases[13]])
    func tiledGEMMFollowsTheErrorModelAndTheTileEqualsTheReference(_ c: ConvCase) {
        var rng = SplitMix64(seed: 52)
        let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
        let wt = Tensor.random(shape: [c.cout, c.cin, c.k, c.k], in: -0.5...0.5, using: &rng)
        let b = c.bias ? Tensor.random(shape: [c.cout], using: &rng) : nil
        let expected = Self.rounded(x).conv2d(weights: Self.rounded(wt), bias: b, options: c.options, algorithm: .reference)
        let reference = Self.convolution(c, wt, b, kernel: .reference, algorithm: .tiledGEMM)
        #expect(reference.precision == .bf16 && reference.algorithm == .tiledGEMM)
        let scalar = Self.run(reference, x, threads: 1)
        assertClose(scalar, expected, tolerance: ConvolutionParityTests.tolerance, "bf16 reference tile \(c.testDescription)")
        guard Self.hasBF16 else { return }
        let tile = Self.convolution(c, wt, b, kernel: .avx512bf16, algorithm: .tiledGEMM)
        Self.expectBitForBit(tile, x, equals: scalar, c)
    }

    @Test(arguments: winogradCases)
    func winogradStaysNearFP32AndTheTileEqualsTheReference(_ c: ConvCase) {
        var rng = SplitMix64(seed: 53)
        let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
        let wt = Tensor.random(shape: [c.cout, c.cin, 3, 3], in: -0.5...0.5, using: &rng)
        let b = c.bias ? Tensor.random(shape: [c.cout], using: &rng) : nil
        let expected = x.conv2d(weights: wt, bias: b, options: c.options, algorithm: .reference)
        let scale = max(expected.values.reduce(0) { max($0, abs($1)) }, 1)
        let reference = Self.convolution(c, wt, b, kernel: .reference, algorithm: .winograd)
        #expect(reference.precision == .bf16 && reference.algorithm == .winograd)
        var scalar: Tensor?
        for threads in [1, 2] {
            let y = Self.run(reference, x, threads: threads)
            let error = zip(y.values, expected.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(
                error <= Self.winogradTolerance * scale,
                "bf16 Winograd \(threads) threads \(c.testDescription): max |Δ| \(error), max |y| \(scale)")
            if let scalar { #expect(y.values == scalar.values, "threads change the sums: \(c.testDescription)") }
            scalar = y
        }
        guard Self.hasBF16, let scalar else { return }
        let tile = Self.convolution(c, wt, b, kernel: .avx512bf16, algorithm: .winograd)
        Self.expectBitForBit(tile, x, equals: scalar, c)
    }

    /// `precision: .bf16` picks the BF16 products where the fp32 choice is Winograd or a GEMM and keeps the depthwise
    /// 3×3 in fp32; on a CPU without AVX-512 BF16, or whose `vdpbf16ps` is slower than fp32, everything is fp32.
    @Test func precisionChoosesTheBF16KernelsByShape() {
        let shapes: [(ConvCase, ConvolutionAlgorithm, Bool)] = [
            (gemmCases[6], .winograd, true), (gemmCases[1], .tiledGEMM, true), (gemmCases[4], .tiledGEMM, true),
            (depthwiseCases[0], .depthwise3x3, false),
        ]
        for (c, algorithm, reduced) in shapes {
            let wt = Tensor.random(shape: [c.cout, c.cin / c.groups, c.k, c.k], seed: 54)
            let conv = wt.withUnsafeBufferPointer { w in
                Convolution2D(geometry: Self.geometry(c), weights: w, bias: nil, activation: c.activation, precision: .bf16)
            }
            #expect(conv.algorithm == algorithm, "\(c.testDescription)")
            #expect(conv.precision == (reduced && CPUPrecisionFeatures.current.bf16Pays ? .bf16 : .fp32), "\(c.testDescription)")
        }
    }

    /// An SSDLite block with bf16 expansion and projection still runs fused (one step, intermediates in cache), with
    /// exactly the floats of its kernels run one after the other. The pointwise convolutions are built on the
    /// `vdpbf16ps` tile directly, so the test runs wherever the instruction does, also where `precision: .bf16` runs
    /// fp32 because bf16 would be slower.
    @Test(.enabled(if: hasBF16, skipReason))
    func fusedBlockEqualsItsBF16Kernels() {
        var rng = SplitMix64(seed: 55)
        let (h, w, cin, middle, cout) = (19, 19, 32, 192, 32)
        let x = Tensor.random(shape: [h, w, cin], using: &rng)
        let w1 = Tensor.random(shape: [middle, cin, 1, 1], in: -0.5...0.5, using: &rng)
        let w2 = Tensor.random(shape: [middle, 1, 3, 3], in: -0.5...0.5, using: &rng)
        let w3 = Tensor.random(shape: [cout, middle, 1, 1], in: -0.5...0.5, using: &rng)
        let expandCase = ConvCase(h: h, w: w, cin: cin, cout: middle, k: 1, activation: .relu6, bias: false)
        let depthwiseCase = ConvCase(
            h: h, w: w, cin: middle, cout: middle, k: 3, groups: middle, padding: .uniform(1), activation: .relu6, bias: false)
        let projectCase = ConvCase(h: h, w: w, cin: middle, cout: cout, k: 1, bias: false)
        func make(_ c: ConvCase, _ wt: Tensor) -> Convolution2D {
            wt.withUnsafeBufferPointer { p in
                Convolution2D(geometry: Self.geometry(c), weights: p, bias: nil, activation: c.activation, bf16: .avx512bf16)
            }
        }
        let expand = make(expandCase, w1), depthwise = make(depthwiseCase, w2), project = make(projectCase, w3)
        #expect(expand.precision == .bf16 && project.precision == .bf16 && depthwise.precision == .fp32)
        guard let block = FusedInvertedResidual(expand: expand, depthwise: depthwise, project: project, residual: FusedActivation.none) else {
            Issue.record("a block with bf16 pointwise convolutions does not fuse")
            return
        }
        for threads in [1, 2] {
            var sequential = Self.run(project, Self.run(depthwise, Self.run(expand, x, threads: threads), threads: threads), threads: threads)
            sequential = sequential.adding(x, activation: .none, algorithm: .reference)
            let pool = ComputePool(threadCount: threads)
            let scratch = TensorStorage(count: max(block.scratchCount(threads: threads), 1))
            var fused = Tensor(shape: [h, w, cout])
            x.withUnsafeBufferPointer { input in
                fused.withUnsafeMutableBufferPointer { out in
                    block.run(input: input.baseAddress!, output: out.baseAddress!, scratch: scratch.pointer, pool: pool)
                }
            }
            #expect(fused.values == sequential.values, "\(threads) threads")
        }
    }

    // MARK: - Helpers

    static func geometry(_ c: ConvCase) -> ConvolutionGeometry {
        ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: c.cout, kernelHeight: c.k, kernelWidth: c.k,
            strideY: c.stride, strideX: c.stride, dilationY: c.dilation, dilationX: c.dilation, groups: c.groups, padding: c.padding)
    }

    /// Every value rounded to bf16 (nearest, ties to even) and back to float32.
    static func rounded(_ t: Tensor) -> Tensor {
        Tensor(shape: t.shape, values: t.values.map { Float(bitPattern: UInt32(ssdd_bf16_from_float($0)) << 16) })
    }

    static func convolution(_ c: ConvCase, _ wt: Tensor, _ b: Tensor?, kernel: BF16Kernel, algorithm: ConvolutionAlgorithm) -> Convolution2D {
        wt.withUnsafeBufferPointer { w in
            guard let b else {
                return Convolution2D(geometry: geometry(c), weights: w, bias: nil, activation: c.activation, bf16: kernel, algorithm: algorithm)
            }
            return b.withUnsafeBufferPointer { bias in
                Convolution2D(geometry: geometry(c), weights: w, bias: bias, activation: c.activation, bf16: kernel, algorithm: algorithm)
            }
        }
    }

    /// The `vdpbf16ps` convolution `tile` gives `scalar` (the reference tile's output) bit for bit at 1 and 2 threads.
    static func expectBitForBit(_ tile: Convolution2D, _ x: Tensor, equals scalar: Tensor, _ c: ConvCase) {
        for threads in [1, 2] {
            // `Tensor.values` copies the tensor: taken once, not per element.
            let ours = Self.run(tile, x, threads: threads).values, reference = scalar.values
            let mismatch = ours.indices.first { ours[$0] != reference[$0] }
            #expect(
                mismatch == nil,
                "vdpbf16ps \(threads) threads \(c.testDescription): first mismatch at \(mismatch ?? -1): \(mismatch.map { ours[$0] } ?? 0) vs \(mismatch.map { reference[$0] } ?? 0)"
            )
        }
    }

    static func run(_ conv: Convolution2D, _ x: Tensor, threads: Int) -> Tensor {
        let pool = ComputePool(threadCount: threads)
        let scratch = TensorStorage(count: max(conv.scratchCount(threads: threads), 1))
        var y = Tensor(shape: conv.outputShape)
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { out in
                conv.run(input: input.baseAddress!, output: out.baseAddress!, scratch: scratch.pointer, pool: pool)
            }
        }
        return y
    }
}
