import TestSupport
import Testing

@testable import TensorEngine

/// The fused inverted-residual block gives exactly (bit for bit) what its kernels give one after the other (expansion,
/// depthwise, projection, residual add), and matches the reference kernels within float32 rounding: bands, kept overlap
/// rows and task boundaries only change where rows are computed, not how.
@Suite("Fused inverted-residual block")
struct InvertedResidualFusionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var h: Int, w: Int, cin: Int, expanded: Int?, stride: Int, cout: Int, residual: Bool
        /// The stride of a 3×3 expansion (SSDLite's stem), or nil for a 1×1 one.
        var stem: Int? = nil
        var testDescription: String {
            "\(h)x\(w)x\(cin) -> \(expanded.map(String.init) ?? "no expansion")\(stem.map { " (3x3 stride \($0))" } ?? ""), "
                + "depthwise stride \(stride) -> \(cout)" + (residual ? " + residual" : "")
        }
    }

    @Test(arguments: [
        // Wide rows: several bands per task (kept overlap rows), odd sizes, both strides.
        Case(h: 40, w: 150, cin: 16, expanded: 96, stride: 2, cout: 24, residual: false),
        Case(h: 31, w: 75, cin: 24, expanded: 144, stride: 1, cout: 24, residual: true),
        Case(h: 19, w: 19, cin: 64, expanded: 384, stride: 1, cout: 64, residual: true),
        Case(h: 19, w: 19, cin: 96, expanded: 576, stride: 2, cout: 160, residual: false),
        Case(h: 10, w: 10, cin: 160, expanded: 960, stride: 1, cout: 320, residual: false),
        Case(h: 9, w: 7, cin: 8, expanded: 24, stride: 1, cout: 8, residual: true),
        Case(h: 5, w: 6, cin: 16, expanded: 16, stride: 2, cout: 40, residual: false),
        Case(h: 3, w: 3, cin: 8, expanded: 48, stride: 2, cout: 8, residual: false),
        Case(h: 1, w: 1, cin: 8, expanded: 8, stride: 1, cout: 8, residual: true),
        // No expansion: MobileNetV2's first block and the SSDLite box predictors.
        Case(h: 81, w: 150, cin: 32, expanded: nil, stride: 1, cout: 16, residual: false),
        Case(h: 10, w: 10, cin: 16, expanded: nil, stride: 1, cout: 16, residual: true),
        Case(h: 19, w: 19, cin: 576, expanded: nil, stride: 1, cout: 12, residual: false),
        Case(h: 2, w: 2, cin: 128, expanded: nil, stride: 2, cout: 6, residual: false),
        // A 3×3 expansion: SSDLite's stem (300×300×3 → 150×150×32) with MobileNetV2's first block, and odd sizes.
        Case(h: 121, w: 300, cin: 3, expanded: 32, stride: 1, cout: 16, residual: false, stem: 2),
        Case(h: 9, w: 11, cin: 8, expanded: 16, stride: 2, cout: 8, residual: false, stem: 1),
        Case(h: 12, w: 12, cin: 8, expanded: 24, stride: 1, cout: 8, residual: true, stem: 1),
    ])
    func fusedEqualsSequential(_ c: Case) {
        var rng = SplitMix64(seed: 41)
        let middle = c.expanded ?? c.cin
        let x = Tensor.random(shape: [c.h, c.w, c.cin], using: &rng)
        let k1 = c.stem == nil ? 1 : 3, s1 = c.stem ?? 1
        let w1 = Tensor.random(shape: [middle, c.cin, k1, k1], in: -0.5...0.5, using: &rng)
        let b1 = Tensor.random(shape: [middle], using: &rng)
        let w2 = Tensor.random(shape: [middle, 1, 3, 3], in: -0.5...0.5, using: &rng)
        let b2 = Tensor.random(shape: [middle], using: &rng)
        let w3 = Tensor.random(shape: [c.cout, middle, 1, 1], in: -0.5...0.5, using: &rng)
        let b3 = Tensor.random(shape: [c.cout], using: &rng)
        let expandGeometry = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: middle, kernelHeight: k1, kernelWidth: k1,
            strideY: s1, strideX: s1, padding: k1 == 1 ? .zero : tfSame(c.h, c.w, stride: s1))
        let eh = expandGeometry.outputHeight, ew = expandGeometry.outputWidth
        let depthwiseGeometry = ConvolutionGeometry(
            inputHeight: eh, inputWidth: ew, inputChannels: middle, outputChannels: middle, kernelHeight: 3,
            kernelWidth: 3, strideY: c.stride, strideX: c.stride, groups: middle, padding: tfSame(eh, ew, stride: c.stride))
        let oh = depthwiseGeometry.outputHeight, ow = depthwiseGeometry.outputWidth
        let projectGeometry = ConvolutionGeometry(
            inputHeight: oh, inputWidth: ow, inputChannels: middle, outputChannels: c.cout, kernelHeight: 1, kernelWidth: 1)
        let expand = c.expanded == nil ? nil : Self.tiled(expandGeometry, w1, b1, .relu6)
        let depthwise = w2.withUnsafeBufferPointer { w in
            b2.withUnsafeBufferPointer { b in
                DepthwiseConvolution3x3(geometry: depthwiseGeometry, weights: w.baseAddress!, bias: b.baseAddress!, activation: .relu6)
            }
        }
        let project = Self.tiled(projectGeometry, w3, b3, .none)
        let fusion = InvertedResidualFusion(expand: expand, depthwise: depthwise, project: project, residual: c.residual ? FusedActivation.none : nil)
        if c.w >= 75 { #expect(fusion.bandRows < oh / 2, "several bands per task") }

        // The reference kernels, for the float32-rounding check.
        var reference = x
        if c.expanded != nil {
            reference = reference.conv2d(
                weights: w1, bias: b1,
                options: Conv2DOptions(strideY: s1, strideX: s1, padding: expandGeometry.padding, activation: .relu6),
                algorithm: .reference)
        }
        reference = reference.conv2d(
            weights: w2, bias: b2,
            options: Conv2DOptions(
                strideY: c.stride, strideX: c.stride, groups: middle, padding: depthwiseGeometry.padding, activation: .relu6),
            algorithm: .reference)
        reference = reference.conv2d(weights: w3, bias: b3, options: Conv2DOptions(activation: .none), algorithm: .reference)
        if c.residual { reference = reference.adding(x, activation: .none, algorithm: .reference) }

        // 2 and 3 threads: the 10×10 block (6 … 30 panels) runs split by channels (``InvertedResidualFusion/splitsChannels(threads:)``).
        if c.h == 10 && c.expanded == 960 { #expect(fusion.splitsChannels(threads: 2) && fusion.splitsChannels(threads: 3)) }
        for threads in [1, 2, 3] {
            let pool = ComputePool(threadCount: threads)
            var expanded = Tensor(shape: [eh, ew, middle])
            var filtered = Tensor(shape: [oh, ow, middle])
            var expected = Tensor(shape: [oh, ow, c.cout])
            var actual = expected
            let scratch = TensorStorage(count: fusion.scratchCount(threads: threads))
            x.withUnsafeBufferPointer { input in
                expanded.withUnsafeMutableBufferPointer { e in
                    if let expand { expand.run(input: input.baseAddress!, output: e.baseAddress!, pool: pool) }
                    let depthwiseInput = expand == nil ? input.baseAddress! : UnsafePointer(e.baseAddress!)
                    filtered.withUnsafeMutableBufferPointer { f in
                        depthwise.run(input: depthwiseInput, output: f.baseAddress!, pool: pool)
                        expected.withUnsafeMutableBufferPointer { y in
                            project.run(input: UnsafePointer(f.baseAddress!), output: y.baseAddress!, pool: pool)
                            if c.residual {
                                Pointwise.add(input.baseAddress!, y.baseAddress!, y.baseAddress!, count: y.count, activation: .none, pool: pool)
                            }
                        }
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
            assertClose(actual, reference, tolerance: 1e-4, "\(c.testDescription), \(threads) threads vs reference")
        }
    }

    /// Two threads run small maps kernel by kernel (boundary rows would be expanded twice), larger ones band by band.
    @Test func smallMapsRunUnfusedOnSeveralThreads() {
        func block(size: Int, stride: Int, expanded: Bool) -> InvertedResidualFusion {
            var rng = SplitMix64(seed: 5)
            let middle = 128
            let depthwiseGeometry = ConvolutionGeometry(
                inputHeight: size, inputWidth: size, inputChannels: middle, outputChannels: middle, kernelHeight: 3, kernelWidth: 3,
                strideY: stride, strideX: stride, groups: middle, padding: tfSame(size, size, stride: stride))
            let depthwise = Tensor.random(shape: [middle, 1, 3, 3], using: &rng).withUnsafeBufferPointer { w in
                DepthwiseConvolution3x3(geometry: depthwiseGeometry, weights: w.baseAddress!, bias: nil, activation: .relu6)
            }
            let expand = ConvolutionGeometry(
                inputHeight: size, inputWidth: size, inputChannels: 8, outputChannels: middle, kernelHeight: 1, kernelWidth: 1)
            let project = ConvolutionGeometry(
                inputHeight: depthwiseGeometry.outputHeight, inputWidth: depthwiseGeometry.outputWidth, inputChannels: middle,
                outputChannels: 8, kernelHeight: 1, kernelWidth: 1)
            return InvertedResidualFusion(
                expand: expanded ? Self.tiled(expand, Tensor.random(shape: expand.weightShape, using: &rng), nil, .relu6) : nil,
                depthwise: depthwise, project: Self.tiled(project, Tensor.random(shape: project.weightShape, using: &rng), nil, .none),
                residual: nil)
        }
        #expect(block(size: 10, stride: 1, expanded: true).runsFused(threads: 1))
        #expect(!block(size: 10, stride: 1, expanded: true).runsFused(threads: 2))
        #expect(block(size: 19, stride: 1, expanded: true).runsFused(threads: 2))
        #expect(!block(size: 15, stride: 1, expanded: true).runsFused(threads: 2))
        #expect(block(size: 19, stride: 2, expanded: true).runsFused(threads: 2))
        // 5 output rows: one task could end a whole row (20 %) behind the other.
        #expect(!block(size: 10, stride: 2, expanded: true).runsFused(threads: 2))
        #expect(block(size: 10, stride: 2, expanded: false).runsFused(threads: 2))
        #expect(!block(size: 7, stride: 2, expanded: true).runsFused(threads: 2))
        #expect(!block(size: 19, stride: 1, expanded: true).runsFused(threads: 3))
        #expect(block(size: 38, stride: 1, expanded: true).runsFused(threads: 2))
        #expect(block(size: 10, stride: 1, expanded: false).runsFused(threads: 2))
        // The unfused ones with a float32 expansion of at least two panels per thread split by channels instead (on
        // AVX-512); fused ones and one thread do not.
        #expect(block(size: 10, stride: 1, expanded: true).splitsChannels(threads: 2) == CPUFeatures.hasAVX512)
        #expect(!block(size: 10, stride: 1, expanded: true).splitsChannels(threads: 1))
        #expect(!block(size: 19, stride: 1, expanded: true).splitsChannels(threads: 2))
        #expect(!block(size: 10, stride: 1, expanded: false).splitsChannels(threads: 2))
    }

    @Test func layersThatDoNotChainAreRejected() {
        var rng = SplitMix64(seed: 3)
        let g = { (h: Int, cin: Int, cout: Int) in
            ConvolutionGeometry(inputHeight: h, inputWidth: h, inputChannels: cin, outputChannels: cout, kernelHeight: 1, kernelWidth: 1)
        }
        let depthwiseGeometry = ConvolutionGeometry(
            inputHeight: 8, inputWidth: 8, inputChannels: 16, outputChannels: 16, kernelHeight: 3, kernelWidth: 3,
            groups: 16, padding: .uniform(1))
        let depthwise = Tensor.random(shape: [16, 1, 3, 3], using: &rng).withUnsafeBufferPointer { w in
            DepthwiseConvolution3x3(geometry: depthwiseGeometry, weights: w.baseAddress!, bias: nil, activation: .relu6)
        }
        func tiled(_ geometry: ConvolutionGeometry) -> TiledGEMMConvolution {
            Self.tiled(geometry, Tensor.random(shape: geometry.weightShape, using: &rng), nil, .none)
        }
        let project = tiled(g(8, 16, 8))
        #expect(InvertedResidualFusion.canChain(expand: tiled(g(8, 8, 16)), depthwise: depthwise, project: project, residual: true))
        // Expansion to the wrong channel count, projection from the wrong map, residual of another shape.
        #expect(!InvertedResidualFusion.canChain(expand: tiled(g(8, 8, 24)), depthwise: depthwise, project: project, residual: false))
        #expect(!InvertedResidualFusion.canChain(expand: nil, depthwise: depthwise, project: tiled(g(7, 16, 8)), residual: false))
        #expect(!InvertedResidualFusion.canChain(expand: tiled(g(8, 8, 16)), depthwise: depthwise, project: tiled(g(8, 16, 12)), residual: true))
        #expect(InvertedResidualFusion.canChain(expand: tiled(g(8, 8, 16)), depthwise: depthwise, project: tiled(g(8, 16, 12)), residual: false))
        // A 3×3 expansion chains when its output map is the depthwise input: 8×8 padded (stride 1), not 16×16 at stride 2.
        let stem = { (h: Int, stride: Int) in
            ConvolutionGeometry(
                inputHeight: h, inputWidth: h, inputChannels: 3, outputChannels: 16, kernelHeight: 3, kernelWidth: 3,
                strideY: stride, strideX: stride, padding: tfSame(h, h, stride: stride))
        }
        #expect(InvertedResidualFusion.canChain(expand: tiled(stem(8, 1)), depthwise: depthwise, project: project, residual: false))
        #expect(InvertedResidualFusion.canChain(expand: tiled(stem(16, 2)), depthwise: depthwise, project: project, residual: false))
        #expect(!InvertedResidualFusion.canChain(expand: tiled(stem(8, 2)), depthwise: depthwise, project: project, residual: false))
        // With a residual the block input (3 channels, 16×16) must have the output's shape.
        #expect(!InvertedResidualFusion.canChain(expand: tiled(stem(16, 2)), depthwise: depthwise, project: project, residual: true))
    }

    static func tiled(_ geometry: ConvolutionGeometry, _ weights: Tensor, _ bias: Tensor?, _ activation: FusedActivation) -> TiledGEMMConvolution {
        weights.withUnsafeBufferPointer { w in
            guard let bias else { return TiledGEMMConvolution(geometry: geometry, weights: w.baseAddress!, bias: nil, activation: activation) }
            return bias.withUnsafeBufferPointer { b in
                TiledGEMMConvolution(geometry: geometry, weights: w.baseAddress!, bias: b.baseAddress!, activation: activation)
            }
        }
    }
}
