import TestSupport
import Testing

@testable import TensorEngine

/// The fused 1×1 expansion + depthwise 3×3 gives exactly (bit for bit) what the two kernels give one after the other:
/// bands, kept overlap rows and task boundaries only change where rows are computed, not how.
@Suite("Fused expansion and depthwise convolution")
struct PointwiseDepthwiseFusionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var h: Int, w: Int, cin: Int, expanded: Int, stride: Int
        var testDescription: String { "\(h)x\(w)x\(cin) -> \(expanded), depthwise stride \(stride)" }
    }

    @Test(arguments: [
        // Wide rows (14400 floats): bands of 4 (stride 2) and 7 (stride 1) output rows, several per task, so the kept
        // overlap rows are exercised.
        Case(h: 40, w: 150, cin: 16, expanded: 96, stride: 2),
        Case(h: 31, w: 100, cin: 8, expanded: 144, stride: 1),
        Case(h: 75, w: 11, cin: 24, expanded: 144, stride: 1),
        Case(h: 38, w: 38, cin: 32, expanded: 64, stride: 2),
        Case(h: 19, w: 7, cin: 8, expanded: 24, stride: 1),
        Case(h: 5, w: 6, cin: 16, expanded: 16, stride: 2),
        Case(h: 2, w: 3, cin: 8, expanded: 8, stride: 1),
    ])
    func fusedEqualsSequential(_ c: Case) {
        var rng = SplitMix64(seed: 31)
        let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
        let w1 = Tensor.random(shape: [c.expanded, c.cin, 1, 1], in: -0.5...0.5, using: &rng)
        let b1 = Tensor.random(shape: [c.expanded], using: &rng)
        let w2 = Tensor.random(shape: [c.expanded, 1, 3, 3], in: -0.5...0.5, using: &rng)
        let b2 = Tensor.random(shape: [c.expanded], using: &rng)
        let expandGeometry = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin,
            outputChannels: c.expanded, kernelHeight: 1, kernelWidth: 1)
        let padding = tfSame(c.h, c.w, stride: c.stride)
        let depthwiseGeometry = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.expanded, outputChannels: c.expanded, kernelHeight: 3,
            kernelWidth: 3, strideY: c.stride, strideX: c.stride, groups: c.expanded, padding: padding)
        let expand = w1.withUnsafeBufferPointer { w in
            b1.withUnsafeBufferPointer { b in
                TiledGEMMConvolution(geometry: expandGeometry, weights: w.baseAddress!, bias: b.baseAddress!, activation: .relu6)
            }
        }
        let depthwise = w2.withUnsafeBufferPointer { w in
            b2.withUnsafeBufferPointer { b in
                DepthwiseConvolution3x3(geometry: depthwiseGeometry, weights: w.baseAddress!, bias: b.baseAddress!, activation: .relu6)
            }
        }
        let fusion = PointwiseDepthwiseFusion(expand: expand, depthwise: depthwise)
        if c.w >= 100 { #expect(fusion.bandRows < depthwiseGeometry.outputHeight / 2, "several bands per task") }
        for threads in [1, 2] {
            let pool = ComputePool(threadCount: threads)
            var middle = Tensor(shape: [c.h, c.w, c.expanded])
            var expected = Tensor(shape: [depthwiseGeometry.outputHeight, depthwiseGeometry.outputWidth, c.expanded])
            var actual = expected
            let scratch = TensorStorage(count: fusion.scratchCount(threads: threads))
            x.withUnsafeBufferPointer { input in
                middle.withUnsafeMutableBufferPointer { m in
                    expand.run(input: input.baseAddress!, output: m.baseAddress!, pool: pool)
                    expected.withUnsafeMutableBufferPointer { e in
                        depthwise.run(input: UnsafePointer(m.baseAddress!), output: e.baseAddress!, pool: pool)
                    }
                }
                actual.withUnsafeMutableBufferPointer { a in
                    fusion.run(input: input.baseAddress!, output: a.baseAddress!, scratch: scratch.pointer, pool: pool)
                }
            }
            let differing = zip(actual.values, expected.values).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
            #expect(
                differing.isEmpty,
                "\(c.testDescription), \(threads) threads: \(differing.count) values differ, first at flat index \(differing.first?.offset ?? -1)")
        }
    }
}
