import TestSupport
import Testing

@testable import TensorEngine

/// The 16-wide AVX-512 depthwise kernel gives the 8-wide kernel's results bit for bit (the same sums in the same order),
/// and both stay within the parity tolerance of the reference convolution.
@Suite("Depthwise 3×3 on AVX-512")
struct DepthwiseAVX512Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        var h: Int, w: Int, c: Int, stride: Int, padding: Padding2D, activation: FusedActivation
        var testDescription: String { "\(h)x\(w)x\(c) stride \(stride) padding \(padding) \(activation)" }
    }

    static let cases: [Case] = [
        // SSDLite's shapes (TF SAME: stride 2 pads bottom/right only), odd and even interior spans, tiny maps.
        Case(h: 19, w: 19, c: 144, stride: 1, padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1), activation: .relu6),
        Case(h: 20, w: 21, c: 96, stride: 2, padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1), activation: .relu6),
        Case(h: 10, w: 10, c: 32, stride: 1, padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1), activation: .none),
        Case(h: 7, w: 6, c: 16, stride: 2, padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1), activation: .relu),
        Case(h: 3, w: 3, c: 48, stride: 1, padding: .zero, activation: .relu6),
        Case(h: 4, w: 5, c: 16, stride: 1, padding: Padding2D(top: 0, left: 2, bottom: 1, right: 0), activation: .relu6),
        // A band-like map: several interior rows walked as one block (runRows), an odd number of interior columns.
        Case(h: 12, w: 75, c: 48, stride: 2, padding: Padding2D(top: 0, left: 0, bottom: 1, right: 1), activation: .relu6),
        // Windows cut on both sides (a one-row, two-column input) and the extra layers' 1×1 map: border pixels only.
        Case(h: 1, w: 2, c: 32, stride: 1, padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1), activation: .none),
        Case(h: 1, w: 1, c: 64, stride: 2, padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1), activation: .relu6),
    ]

    @Test(arguments: cases)
    func avx512EqualsTheVectorKernel(_ c: Case) {
        guard CPUFeatures.hasAVX512 else { return }
        var rng = SplitMix64(seed: 41)
        let x = Tensor.random(shape: [c.h, c.w, c.c], in: -2...2, using: &rng)
        let wt = Tensor.random(shape: [c.c, 1, 3, 3], in: -0.5...0.5, using: &rng)
        let b = Tensor.random(shape: [c.c], using: &rng)
        let g = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.c, outputChannels: c.c, kernelHeight: 3, kernelWidth: 3,
            strideY: c.stride, strideX: c.stride, groups: c.c, padding: c.padding)
        let kernels = [GEMMKernel.vector, .avx512].map { kernel in
            wt.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { bias in
                    DepthwiseConvolution3x3(geometry: g, weights: w.baseAddress!, bias: bias.baseAddress!, activation: c.activation, kernel: kernel)
                }
            }
        }
        #expect(!kernels[0].usesAVX512 && kernels[1].usesAVX512 == (VectorPointwise.width < 16))
        let expected = x.conv2d(
            weights: wt, bias: b,
            options: Conv2DOptions(strideY: c.stride, strideX: c.stride, groups: c.c, padding: c.padding, activation: c.activation),
            algorithm: .reference)
        for threads in [1, 2] {
            let pool = ComputePool(threadCount: threads)
            let outputs = kernels.map { kernel in
                var y = Tensor(shape: [g.outputHeight, g.outputWidth, c.c])
                x.withUnsafeBufferPointer { input in
                    y.withUnsafeMutableBufferPointer { out in kernel.run(input: input.baseAddress!, output: out.baseAddress!, pool: pool) }
                }
                return y
            }
            #expect(outputs[0].values == outputs[1].values, "\(threads) threads: the AVX-512 kernel differs from the vector kernel")
            assertClose(outputs[1], expected, tolerance: ConvolutionParityTests.tolerance, "\(threads) threads \(c.testDescription)")
        }
    }
}
