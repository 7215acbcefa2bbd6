import TensorEngine
import TestSupport
import Testing

@Suite("Hand-computed cases")
struct HandComputedTests {
    @Test(arguments: ConvolutionAlgorithm.allCases.filter { $0 != .depthwise3x3 })
    func conv3x3OnRamp(_ algorithm: ConvolutionAlgorithm) {
        // 3×3 input 1…9, all-ones 3×3 kernel, pad 1, bias 1: each output is 1 + the sum of its 3×3 neighbourhood.
        let x = Tensor(shape: [3, 3, 1], values: (1...9).map(Float.init))
        let w = Tensor(shape: [1, 1, 3, 3], repeating: 1)
        let y = x.conv2d(
            weights: w, bias: Tensor(shape: [1], values: [1]),
            options: Conv2DOptions(padding: .uniform(1)), algorithm: algorithm)
        #expect(y.shape == [3, 3, 1])
        let expected: [Float] = [13, 22, 17, 28, 46, 34, 25, 40, 29]
        if algorithm == .winograd {
            // Winograd's transforms (⅙, 1/24 in the filter transform) round: equal to a few ulps of the largest output.
            let error = zip(y.values, expected).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(error <= 1e-5 * 46, "max |Δ| \(error): \(y.values)")
        } else {
            #expect(y.values == expected)
        }
    }

    @Test func depthwiseRelu6AndTFSamePadding() {
        // 2×2 input, 8 channels all equal to their channel index, ones kernel, stride 2, TF-SAME pads (0,0,1,1):
        // the single output sees the whole 2×2 input: 4·c, clipped to 6.
        let x = Tensor(shape: [2, 2, 8], values: (0..<32).map { Float($0 % 8) })
        let w = Tensor(shape: [8, 1, 3, 3], repeating: 1)
        let y = x.conv2d(
            weights: w,
            options: Conv2DOptions(
                strideY: 2, strideX: 2, groups: 8,
                padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1),
                activation: .relu6), algorithm: .depthwise3x3)
        #expect(y.shape == [1, 1, 8])
        #expect(y.values == [0, 4, 6, 6, 6, 6, 6, 6])
    }

    /// The nine TF-SAME stride-2 3×3 pads of SSDLite (ssd.md §7.3): (before, after) per input size.
    @Test(arguments: [
        (300, 150, 0, 1), (150, 75, 0, 1), (75, 38, 1, 1), (38, 19, 0, 1), (19, 10, 1, 1), (10, 5, 0, 1),
        (5, 3, 1, 1), (3, 2, 1, 1), (2, 1, 0, 1),
    ])
    func tensorFlowSamePads(_ input: Int, _ output: Int, _ before: Int, _ after: Int) {
        let pad = tfSame(input, input, stride: 2)
        #expect(pad.top == before && pad.bottom == after && pad.left == before && pad.right == after)
        let g = ConvolutionGeometry(
            inputHeight: input, inputWidth: input, inputChannels: 8, outputChannels: 8,
            kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, groups: 8, padding: pad)
        #expect(g.outputHeight == output && g.outputWidth == output)
    }

    @Test(arguments: PoolingAlgorithm.allCases)
    func poolCeilMode75To38(_ algorithm: PoolingAlgorithm) {
        let x = Tensor(shape: [75, 75, 8], values: (0..<(75 * 75 * 8)).map { Float($0) })
        let y = x.maxPool(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, ceilMode: true, algorithm: algorithm)
        #expect(y.shape == [38, 38, 8])
        // The last window holds only input pixel (74, 74); its value is the largest index there.
        #expect(y[37, 37, 7] == Float((74 * 75 + 74) * 8 + 7))
        let floor = x.maxPool(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, ceilMode: false, algorithm: algorithm)
        #expect(floor.shape == [37, 37, 8])
    }

    @Test func poolPaddingNeverWins() {
        // VGG pool5: 3×3 stride 1 pad 1 on all-negative input; padded cells must not produce 0.
        let x = Tensor(shape: [2, 2, 1], values: [-4, -3, -2, -1])
        let y = x.maxPool(kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1, padding: .uniform(1))
        #expect(y.values == [-1, -1, -1, -1])
    }

    @Test func l2NormalizeScalesUnitVector() {
        let x = Tensor(shape: [1, 2, 2], values: [3, 4, 0, 0])
        let y = x.l2Normalized(scale: Tensor(shape: [2], values: [20, 10]), epsilon: 1e-12)
        #expect(y.values == [12, 8, 0, 0])
    }
}
