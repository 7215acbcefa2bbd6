import TensorEngine
import TestSupport
import Testing

/// One convolution case of the parity grid.
struct ConvCase: Sendable, CustomTestStringConvertible {
    var h: Int, w: Int, cin: Int, cout: Int, k: Int
    var stride = 1, dilation = 1, groups = 1
    var padding: Padding2D = .zero
    var activation: FusedActivation = .none
    var bias = true
    var label = ""

    var testDescription: String {
        "\(label) \(h)x\(w)x\(cin)->\(cout) k\(k) s\(stride) d\(dilation) g\(groups) pad(\(padding.top),\(padding.left),\(padding.bottom),\(padding.right)) \(activation) bias:\(bias)"
    }

    var options: Conv2DOptions {
        Conv2DOptions(
            strideY: stride, strideX: stride, dilationY: dilation, dilationX: dilation, groups: groups,
            padding: padding, activation: activation)
    }
}

/// TF "SAME" pads for a 3×3 window (extra pixel bottom/right).
func tfSame(_ h: Int, _ w: Int, stride: Int) -> Padding2D {
    func axis(_ n: Int) -> (Int, Int) {
        let out = (n + stride - 1) / stride
        let total = max((out - 1) * stride + 3 - n, 0)
        return (total / 2, total - total / 2)
    }
    let (t, b) = axis(h), (l, r) = axis(w)
    return Padding2D(top: t, left: l, bottom: b, right: r)
}

let gemmCases: [ConvCase] = [
    ConvCase(h: 7, w: 5, cin: 3, cout: 4, k: 1, label: "1x1 tiny"),
    ConvCase(h: 19, w: 19, cin: 96, cout: 576, k: 1, activation: .relu6, label: "SSDLite expand 19"),
    ConvCase(h: 10, w: 10, cin: 960, cout: 160, k: 1, label: "SSDLite project 10"),
    ConvCase(h: 3, w: 3, cin: 256, cout: 24, k: 1, bias: true, label: "SSDLite box head"),
    ConvCase(h: 9, w: 9, cin: 3, cout: 32, k: 3, stride: 2, padding: tfSame(9, 9, stride: 2), activation: .relu6, label: "SSDLite Conv s2 odd"),
    ConvCase(h: 10, w: 10, cin: 3, cout: 32, k: 3, stride: 2, padding: tfSame(10, 10, stride: 2), activation: .relu6, label: "SSDLite Conv s2 even"),
    ConvCase(h: 12, w: 12, cin: 64, cout: 64, k: 3, padding: .uniform(1), activation: .relu, label: "VGG conv1_2"),
    ConvCase(h: 8, w: 8, cin: 256, cout: 512, k: 3, padding: .uniform(1), activation: .relu, label: "VGG conv4_1"),
    ConvCase(h: 19, w: 19, cin: 64, cout: 32, k: 3, dilation: 6, padding: .uniform(6), activation: .relu, label: "VGG fc6 dilated"),
    ConvCase(h: 10, w: 10, cin: 32, cout: 48, k: 3, stride: 2, padding: .uniform(1), activation: .relu, label: "VGG conv6_2 s2"),
    ConvCase(h: 5, w: 5, cin: 32, cout: 16, k: 3, activation: .relu, label: "VGG conv8_2 p0"),
    ConvCase(
        h: 6, w: 7, cin: 5, cout: 6, k: 2, stride: 2, padding: Padding2D(top: 0, left: 1, bottom: 1, right: 0), bias: false, label: "asymmetric"),
    ConvCase(h: 9, w: 11, cin: 4, cout: 3, k: 1, stride: 2, label: "1x1 s2"),
    ConvCase(h: 9, w: 9, cin: 7, cout: 5, k: 5, stride: 1, dilation: 2, padding: .uniform(4), bias: false, label: "5x5 d2"),
]

let depthwiseCases: [ConvCase] =
    [150, 75, 38, 19, 10, 5, 3, 2].flatMap { n -> [ConvCase] in
        let small = min(n, 12)
        return [1, 2].map { s in
            ConvCase(
                h: small, w: small + 1, cin: 16, cout: 16, k: 3, stride: s, groups: 16,
                padding: tfSame(small, small + 1, stride: s), activation: .relu6, label: "dw from \(n)")
        }
    } + [
        ConvCase(h: 2, w: 2, cin: 8, cout: 8, k: 3, stride: 2, groups: 8, padding: tfSame(2, 2, stride: 2), activation: .relu6, label: "dw 2->1"),
        ConvCase(h: 1, w: 1, cin: 128, cout: 128, k: 3, groups: 128, padding: .uniform(1), activation: .relu6, label: "dw head 1x1"),
        ConvCase(h: 6, w: 6, cin: 576, cout: 576, k: 3, groups: 576, padding: .uniform(1), activation: .none, bias: false, label: "dw 576"),
        ConvCase(h: 7, w: 5, cin: 24, cout: 24, k: 3, stride: 2, groups: 24, padding: .uniform(1), activation: .relu, label: "dw pytorch pad"),
        ConvCase(h: 20, w: 23, cin: 32, cout: 32, k: 3, groups: 32, padding: tfSame(20, 23, stride: 1), activation: .relu6, label: "dw wide s1"),
        ConvCase(h: 21, w: 24, cin: 40, cout: 40, k: 3, stride: 2, groups: 40, padding: tfSame(21, 24, stride: 2), label: "dw wide s2"),
        ConvCase(h: 9, w: 17, cin: 16, cout: 16, k: 3, groups: 16, padding: .zero, activation: .relu, bias: false, label: "dw valid"),
    ]

/// Extra shapes for the tiled GEMM: column counts around its 16-wide panels and 8-wide vectors, row counts around its
/// 6-row tiles, long and short K, and on 2 threads (≥ 256K multiply-accumulates) splits by rows and by column panels.
let tiledGEMMCases: [ConvCase] = [
    ConvCase(h: 1, w: 1, cin: 1280, cout: 24, k: 1, label: "1x1 one pixel, long K"),
    ConvCase(h: 2, w: 3, cin: 64, cout: 6, k: 1, activation: .relu6, label: "6 columns"),
    ConvCase(h: 5, w: 5, cin: 96, cout: 12, k: 1, label: "12 columns (box head)"),
    ConvCase(h: 5, w: 5, cin: 320, cout: 64, k: 1, activation: .relu, label: "panel split"),
    ConvCase(h: 3, w: 3, cin: 512, cout: 72, k: 1, activation: .relu6, label: "panel split, 8-column last panel"),
    ConvCase(h: 7, w: 7, cin: 33, cout: 17, k: 1, activation: .relu6, label: "odd K, 17 columns"),
    ConvCase(h: 11, w: 13, cin: 32, cout: 96, k: 1, activation: .relu6, label: "row split"),
    ConvCase(h: 31, w: 33, cin: 16, cout: 96, k: 1, activation: .relu6, label: "SSDLite expand 150 (K 16), row split"),
    ConvCase(h: 25, w: 25, cin: 144, cout: 24, k: 1, label: "SSDLite project 75 (24 columns), row split"),
    ConvCase(h: 10, w: 10, cin: 24, cout: 40, k: 1, bias: false, label: "40 columns, no bias"),
    ConvCase(h: 13, w: 11, cin: 3, cout: 32, k: 3, stride: 2, padding: tfSame(13, 11, stride: 2), activation: .relu6, label: "stem s2 odd"),
    ConvCase(
        h: 40, w: 40, cin: 3, cout: 32, k: 3, stride: 2, padding: tfSame(40, 40, stride: 2), activation: .relu6, label: "stem s2 even, row split"),
    ConvCase(h: 8, w: 9, cin: 5, cout: 7, k: 3, padding: .uniform(1), label: "3x3 K 45"),
]

/// Shapes for Winograd F(4×4, 3×3): maps whose sides are and are not multiples of the 4-pixel tile, channel counts
/// around the vector width and the 16-column panels, every padding (none, symmetric, TF "SAME" asymmetric, more than
/// one), and on 2 threads both work splits (blocks shared by the threads; one block per task).
let winogradCases: [ConvCase] = [
    ConvCase(h: 12, w: 12, cin: 64, cout: 64, k: 3, padding: .uniform(1), activation: .relu, label: "VGG conv1_2"),
    ConvCase(h: 8, w: 8, cin: 256, cout: 512, k: 3, padding: .uniform(1), activation: .relu, label: "VGG conv4_1"),
    ConvCase(h: 9, w: 11, cin: 20, cout: 24, k: 3, padding: .uniform(1), label: "partial tiles, channel tails"),
    ConvCase(h: 19, w: 19, cin: 32, cout: 36, k: 3, padding: .uniform(1), bias: false, label: "19x19, 36 columns, no bias"),
    ConvCase(h: 10, w: 10, cin: 16, cout: 8, k: 3, activation: .relu6, label: "valid, 8 columns"),
    ConvCase(h: 13, w: 14, cin: 17, cout: 33, k: 3, padding: tfSame(13, 14, stride: 1), label: "TF SAME, odd channels"),
    ConvCase(h: 7, w: 9, cin: 16, cout: 16, k: 3, padding: Padding2D(top: 2, left: 0, bottom: 1, right: 3), label: "uneven padding"),
    ConvCase(h: 1, w: 2, cin: 5, cout: 3, k: 3, padding: .uniform(1), label: "smaller than a tile"),
    ConvCase(h: 40, w: 40, cin: 16, cout: 40, k: 3, padding: .uniform(1), activation: .relu, label: "one block, shared"),
    ConvCase(h: 60, w: 44, cin: 24, cout: 40, k: 3, padding: .uniform(1), label: "two blocks, shared"),
    ConvCase(h: 140, w: 140, cin: 16, cout: 8, k: 3, padding: .uniform(1), label: "many blocks, one per task"),
    ConvCase(h: 19, w: 19, cin: 64, cout: 32, k: 3, dilation: 6, padding: .uniform(6), activation: .relu, label: "VGG fc6 dilated"),
    ConvCase(h: 13, w: 11, cin: 16, cout: 20, k: 3, dilation: 2, padding: .uniform(2), label: "dilation 2"),
    ConvCase(
        h: 17, w: 16, cin: 16, cout: 16, k: 3, dilation: 3, padding: Padding2D(top: 3, left: 1, bottom: 0, right: 4),
        label: "dilation 3, uneven padding"),
]

@Suite("Convolution kernels match the reference")
struct ConvolutionParityTests {
    /// Tolerance: SGEMM and the vector kernels only reorder float32 sums (≤ 4608 terms of |x·w| ≤ 1 here).
    static let tolerance: Float = 2e-4

    /// Winograd's float32 rounding grows with the magnitude of the whole tensor rather than of each value (the transforms
    /// mix neighbouring pixels with weights up to 8), so it is bounded relative to the largest output:
    /// max |Δ| ≤ 2e-5 × max |expected|. Measured on this grid: up to 1.6e-5 × max for K = 2304 (conv4_1), where the
    /// direct kernels reach about 2e-6.
    static let winogradTolerance: Float = 2e-5

    func check(_ c: ConvCase, algorithm: ConvolutionAlgorithm, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
        let wt = Tensor.random(shape: [c.cout, c.cin / c.groups, c.k, c.k], in: -0.5...0.5, using: &rng)
        let b = c.bias ? Tensor.random(shape: [c.cout], using: &rng) : nil
        let expected = x.conv2d(weights: wt, bias: b, options: c.options, algorithm: .reference)
        let pool = ComputePool(threadCount: 2)
        for (label, workers) in [("1 thread", ComputePool(threadCount: 1)), ("2 threads", pool)] {
            let actual = x.conv2d(weights: wt, bias: b, options: c.options, algorithm: algorithm, pool: workers)
            if algorithm == .winograd {
                let scale = expected.values.reduce(0) { max($0, abs($1)) }
                let error = zip(actual.values, expected.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
                #expect(actual.shape == expected.shape)
                #expect(
                    error <= Self.winogradTolerance * max(scale, 1),
                    "\(algorithm) \(label) \(c.testDescription): max |Δ| \(error), max |y| \(scale)")
            } else {
                assertClose(actual, expected, tolerance: Self.tolerance, "\(algorithm) \(label) \(c.testDescription)")
            }
        }
    }

    @Test(arguments: gemmCases)
    func gemmMatchesReference(_ c: ConvCase) {
        check(c, algorithm: .gemm, seed: 11)
    }

    @Test(arguments: gemmCases + tiledGEMMCases)
    func tiledGEMMMatchesReference(_ c: ConvCase) {
        check(c, algorithm: .tiledGEMM, seed: 14)
    }

    @Test(arguments: winogradCases)
    func winogradMatchesReference(_ c: ConvCase) {
        check(c, algorithm: .winograd, seed: 15)
    }

    @Test(arguments: depthwiseCases)
    func depthwiseMatchesReference(_ c: ConvCase) {
        check(c, algorithm: .depthwise3x3, seed: 12)
    }

    @Test(arguments: [
        ConvCase(h: 6, w: 6, cin: 8, cout: 4, k: 3, groups: 2, padding: .uniform(1), label: "grouped"),
        ConvCase(h: 5, w: 5, cin: 4, cout: 4, k: 3, groups: 4, padding: .uniform(1), label: "dw 4 channels"),
    ])
    func preferredKernelMatchesReference(_ c: ConvCase) {
        let g = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: c.cout,
            kernelHeight: c.k, kernelWidth: c.k, groups: c.groups, padding: c.padding)
        check(c, algorithm: ConvolutionAlgorithm.preferred(for: g), seed: 13)
    }

    @Test func kernelSelectionByShape() {
        let dw = ConvolutionGeometry(
            inputHeight: 19, inputWidth: 19, inputChannels: 576, outputChannels: 576,
            kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, groups: 576,
            padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1))
        #expect(ConvolutionAlgorithm.preferred(for: dw) == .depthwise3x3)
        var vgg = dw
        vgg.groups = 1
        #expect(ConvolutionAlgorithm.preferred(for: vgg) == ConvolutionAlgorithm.largeConvolution)
        let expand = ConvolutionGeometry(
            inputHeight: 19, inputWidth: 19, inputChannels: 96, outputChannels: 576,
            kernelHeight: 1, kernelWidth: 1)
        #expect(ConvolutionAlgorithm.preferred(for: expand) == .tiledGEMM)
        var grouped = dw
        grouped.groups = 2
        #expect(ConvolutionAlgorithm.preferred(for: grouped) == .reference)
        let conv4 = ConvolutionGeometry(
            inputHeight: 38, inputWidth: 38, inputChannels: 512, outputChannels: 512,
            kernelHeight: 3, kernelWidth: 3, padding: .uniform(1))
        #expect(ConvolutionAlgorithm.preferred(for: conv4) == .winograd)
        #expect(ConvolutionAlgorithm.preferred(for: conv4, allowingWinograd: false) == ConvolutionAlgorithm.largeConvolution)
        var smallMap = conv4
        (smallMap.inputHeight, smallMap.inputWidth) = (5, 5)
        #expect(ConvolutionAlgorithm.preferred(for: smallMap) == .tiledGEMM)
        var dilated = conv4
        (dilated.dilationY, dilated.dilationX, dilated.padding) = (6, 6, .uniform(6))
        #expect(ConvolutionAlgorithm.preferred(for: dilated) == .winograd)
        (dilated.inputHeight, dilated.inputWidth) = (8, 8)
        #expect(
            ConvolutionAlgorithm.preferred(for: dilated) == ConvolutionAlgorithm.largeConvolution, "6 phases of 1–2 pixels: tiles would waste most")
        var stem = conv4
        (stem.inputChannels, stem.outputChannels) = (3, 64)
        #expect(ConvolutionAlgorithm.preferred(for: stem) == .tiledGEMM)
    }
}
