import TestSupport
import Testing

@testable import TensorEngine

/// On AVX-512 the Winograd tile transforms run 16 channels per vector on whole vectors (the rest, and input tiles that
/// reach into the padding, on the 8-wide code); a convolution on the AVX-512 kernel equals the one on the 8-wide kernel
/// bit for bit, in fp32 and, where the CPU has it, in bf16.
@Suite("Winograd transforms on AVX-512")
struct WinogradTransformsAVX512Tests {
    @Test(
        .enabled(if: GEMMKernel.available.contains(.avx512), "no AVX-512 on this CPU"),
        arguments: [
            // (h, w, cin, cout, dilation, padding, activation): VGG-like whole vectors, a remainder of 8 channels on
            // both sides, partial output tiles, dilation 2 (SSD300's conv6 is dilation 6), no padding.
            (19, 13, 64, 32, 1, 1, FusedActivation.relu), (10, 11, 24, 40, 1, 1, .none), (17, 9, 16, 48, 2, 2, .relu6),
            (8, 8, 32, 16, 1, 0, .relu), (6, 7, 48, 8, 1, 1, .none),
        ])
    func equalsTheVectorKernel(_ c: (Int, Int, Int, Int, Int, Int, FusedActivation)) {
        let (h, w, cin, cout, dilation, padding, activation) = c
        var rng = SplitMix64(seed: 37)
        let x = Tensor.random(shape: [h, w, cin], in: -2...2, using: &rng)
        let wt = Tensor.random(shape: [cout, cin, 3, 3], in: -0.5...0.5, using: &rng)
        let b = Tensor.random(shape: [cout], using: &rng)
        let g = ConvolutionGeometry(
            inputHeight: h, inputWidth: w, inputChannels: cin, outputChannels: cout, kernelHeight: 3, kernelWidth: 3,
            dilationY: dilation, dilationX: dilation, padding: .uniform(padding))
        // fp32, then bf16 products where the CPU has them.
        let precisions: [BF16Kernel?] = [nil] + (BF16Kernel.preferred.map { [$0] } ?? [])
        for precision in precisions {
            var results: [[Float]] = []
            for kernel in [GEMMKernel.avx512, .vector] {
                let conv = wt.withUnsafeBufferPointer { wp in
                    b.withUnsafeBufferPointer { bp in
                        WinogradConvolution(
                            geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: activation, kernel: kernel,
                            bf16: precision)
                    }
                }
                #expect(conv.usesAVX512Transforms == (kernel == .avx512))
                for threads in [1, 2] {
                    let scratch = TensorStorage(count: conv.scratchCount(threads: threads))
                    var y = [Float](repeating: .nan, count: g.outputHeight * g.outputWidth * cout)
                    x.withUnsafeBufferPointer { input in
                        y.withUnsafeMutableBufferPointer {
                            conv.run(
                                input: input.baseAddress!, output: $0.baseAddress!, scratch: scratch.pointer,
                                pool: ComputePool(threadCount: threads))
                        }
                    }
                    results.append(y)
                }
            }
            let differing = zip(results[0], results[2]).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(c) \(precision?.rawValue ?? "fp32"): \(differing) values differ from the 8-wide kernel's")
            let unwritten = results[0].filter(\.isNaN).count
            #expect(unwritten == 0, "\(c) \(precision?.rawValue ?? "fp32"): an output left unwritten")
            let threadsDiffer = zip(results[0], results[1]).contains { $0.0.bitPattern != $0.1.bitPattern }
            #expect(!threadsDiffer, "\(c) \(precision?.rawValue ?? "fp32"): 1 vs 2 threads")
        }
    }
}
