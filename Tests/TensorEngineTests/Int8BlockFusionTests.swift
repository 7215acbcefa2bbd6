import TestSupport
import Testing

@testable import TensorEngine

/// An inverted-residual block whose expansion and projection run in INT8 fuses when their input ranges are calibrated
/// (a band quantizes its rows with the fixed scale) and gives exactly what the three convolutions and the add give one
/// after the other; with dynamic quantization (the range of the whole map) it does not fuse.
@Suite("Fused INT8 inverted-residual block")
struct Int8BlockFusionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var h: Int, w: Int, cin: Int, expanded: Int, stride: Int, cout: Int, residual: Bool
        var testDescription: String { "\(h)x\(w)x\(cin) -> \(expanded), stride \(stride) -> \(cout)\(residual ? " + residual" : "")" }
    }

    static var int8Runs: Bool { Precision.int8.resolved().effective == .int8 }

    static func convolution(
        _ g: ConvolutionGeometry, _ rng: inout SplitMix64, activation: FusedActivation, precision: Precision,
        calibration: ActivationQuantization?
    ) -> Convolution2D {
        let weights = Tensor.random(shape: g.weightShape, in: -0.5...0.5, using: &rng)
        let bias = Tensor.random(shape: [g.outputChannels], using: &rng)
        return weights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                Convolution2D(geometry: g, weights: w, bias: b, activation: activation, precision: precision, calibration: calibration)
            }
        }
    }

    @Test(
        .enabled(if: int8Runs, "this CPU has no INT8 kernel"),
        arguments: [
            Case(h: 40, w: 150, cin: 16, expanded: 96, stride: 2, cout: 24, residual: false),
            Case(h: 31, w: 75, cin: 24, expanded: 144, stride: 1, cout: 24, residual: true),
            Case(h: 10, w: 10, cin: 160, expanded: 960, stride: 1, cout: 320, residual: false),
            // SSDLite's 10×10 blocks split by channels at 2 threads: with the residual, and at stride 2 (layer_19_2's).
            Case(h: 10, w: 10, cin: 160, expanded: 960, stride: 1, cout: 160, residual: true),
            Case(h: 10, w: 10, cin: 64, expanded: 256, stride: 2, cout: 96, residual: false),
            Case(h: 9, w: 7, cin: 8, expanded: 24, stride: 1, cout: 8, residual: true),
        ])
    func calibratedBlockFusesBitForBit(_ c: Case) throws {
        var rng = SplitMix64(seed: 77)
        let x = Tensor.random(shape: [c.h, c.w, c.cin], in: -1...3, using: &rng)
        let e = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: c.expanded, kernelHeight: 1, kernelWidth: 1)
        let d = ConvolutionGeometry(
            inputHeight: c.h, inputWidth: c.w, inputChannels: c.expanded, outputChannels: c.expanded, kernelHeight: 3, kernelWidth: 3,
            strideY: c.stride, strideX: c.stride, groups: c.expanded, padding: tfSame(c.h, c.w, stride: c.stride))
        let p = ConvolutionGeometry(
            inputHeight: d.outputHeight, inputWidth: d.outputWidth, inputChannels: c.expanded, outputChannels: c.cout, kernelHeight: 1,
            kernelWidth: 1)
        // Calibrated ranges narrower than some values: those clamp, in both runs alike.
        let expand = Self.convolution(e, &rng, activation: .relu6, precision: .int8, calibration: ActivationQuantization(low: -1, high: 2.5))
        let depthwise = Self.convolution(d, &rng, activation: .relu6, precision: .fp32, calibration: nil)
        let project = Self.convolution(p, &rng, activation: .none, precision: .int8, calibration: ActivationQuantization(low: 0, high: 5))
        #expect(expand.precision == .int8 && project.precision == .int8)
        let residual: FusedActivation? = c.residual ? FusedActivation.none : nil
        let block = try #require(FusedInvertedResidual(expand: expand, depthwise: depthwise, project: project, residual: residual))
        if c.h == 10, depthwise.algorithm == .depthwise3x3, CPUFeatures.hasAVX512 {
            #expect(block.fusion.splitsChannels(threads: 2), "\(c.testDescription): the 10×10 block splits by channels at 2 threads")
        }

        for threads in [1, 2] {
            let pool = ComputePool(threadCount: threads)
            var expected = Tensor(shape: [d.outputHeight, d.outputWidth, c.cout])
            var actual = expected
            var expanded = Tensor(shape: [c.h, c.w, c.expanded])
            var filtered = Tensor(shape: [d.outputHeight, d.outputWidth, c.expanded])
            let scratch = TensorStorage(count: block.scratchCount(threads: threads))
            x.withUnsafeBufferPointer { input in
                let x = input.baseAddress!
                expanded.withUnsafeMutableBufferPointer { m in
                    filtered.withUnsafeMutableBufferPointer { f in
                        expected.withUnsafeMutableBufferPointer { y in
                            expand.run(input: x, output: m.baseAddress!, scratch: nil, pool: pool)
                            depthwise.run(input: UnsafePointer(m.baseAddress!), output: f.baseAddress!, scratch: nil, pool: pool)
                            project.run(input: UnsafePointer(f.baseAddress!), output: y.baseAddress!, scratch: nil, pool: pool)
                            if c.residual { Pointwise.add(x, y.baseAddress!, y.baseAddress!, count: y.count, activation: .none, pool: pool) }
                        }
                    }
                }
                actual.withUnsafeMutableBufferPointer { a in
                    block.run(input: x, output: a.baseAddress!, scratch: scratch.pointer, pool: pool)
                }
            }
            let differing = zip(actual.values, expected.values).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(c.testDescription), \(threads) threads: \(differing) values differ")
        }
    }

    @Test(.enabled(if: int8Runs, "this CPU has no INT8 kernel"))
    func dynamicQuantizationDoesNotFuse() {
        var rng = SplitMix64(seed: 78)
        let e = ConvolutionGeometry(inputHeight: 8, inputWidth: 8, inputChannels: 8, outputChannels: 48, kernelHeight: 1, kernelWidth: 1)
        let d = ConvolutionGeometry(
            inputHeight: 8, inputWidth: 8, inputChannels: 48, outputChannels: 48, kernelHeight: 3, kernelWidth: 3, groups: 48,
            padding: .uniform(1))
        let p = ConvolutionGeometry(inputHeight: 8, inputWidth: 8, inputChannels: 48, outputChannels: 8, kernelHeight: 1, kernelWidth: 1)
        let depthwise = Self.convolution(d, &rng, activation: .relu6, precision: .fp32, calibration: nil)
        let calibrated = ActivationQuantization(low: 0, high: 6)
        let dynamicExpand = Self.convolution(e, &rng, activation: .relu6, precision: .int8, calibration: nil)
        let dynamicProject = Self.convolution(p, &rng, activation: .none, precision: .int8, calibration: nil)
        let expand = Self.convolution(e, &rng, activation: .relu6, precision: .int8, calibration: calibrated)
        let project = Self.convolution(p, &rng, activation: .none, precision: .int8, calibration: calibrated)
        #expect(FusedInvertedResidual(expand: expand, depthwise: depthwise, project: project, residual: nil) != nil)
        #expect(FusedInvertedResidual(expand: dynamicExpand, depthwise: depthwise, project: project, residual: nil) == nil)
        #expect(FusedInvertedResidual(expand: expand, depthwise: depthwise, project: dynamicProject, residual: nil) == nil)
    }
}
