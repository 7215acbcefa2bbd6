import TensorKernelsX86
import TestSupport
import Testing

@testable import TensorEngine

/// The depthwise kernel's quantized rows (each output vector quantized in registers as it is stored, for a fused INT8
/// projection) give the bytes of the float rows quantized afterwards by the row quantizer, including for NaN, infinite
/// and huge inputs, with the activation clamps that let the store skip its own ±512 clamp (ReLU6, finite bounds) and
/// with those that do not (ReLU, none), at scales from the usual to ones where every output saturates.
@Suite("Depthwise 3×3 quantized rows")
struct DepthwiseQuantizedRowsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var activation: FusedActivation, low: Float, high: Float
        var testDescription: String { "\(activation), quantization \(low)…\(high)" }
    }

    static let cases = [
        Case(activation: .relu6, low: 0, high: 6),  // SSDLite's
        Case(activation: .relu6, low: -1, high: 2.5),  // ReLU6 outputs beyond the range, zero point above 0
        Case(activation: .relu6, low: 0, high: 8.5e-6),  // products up to 1.8e8: every positive output saturates
        Case(activation: .relu6, low: 0, high: 1e-9),  // products beyond 2³⁰: the full clamp again
        Case(activation: .relu, low: 0, high: 6),
        Case(activation: .none, low: -3, high: 9),
    ]

    @Test(.enabled(if: CPUFeatures.hasAVX512, "this CPU lacks AVX-512 F: the quantized rows need it"), arguments: cases)
    func quantizedRowsEqualFloatsThenRowQuantizer(_ c: Case) {
        var rng = SplitMix64(seed: 43)
        let (h, w, channels) = (9, 21, 48)
        var x = Tensor.random(shape: [h, w, channels], in: -3...5, using: &rng)
        // Hostile values in the interior and on the border: each reaches up to nine outputs.
        for (index, value) in [
            (5 * w * channels + 7 * channels + 3, Float.nan), (4 * w * channels + 10 * channels + 20, .infinity),
            (2 * w * channels + 3 * channels + 33, -.infinity), (6 * w * channels + 15 * channels + 40, 1e30),
            (0 * w * channels + 0 * channels + 5, -1e30), ((h - 1) * w * channels + (w - 1) * channels + 47, .nan),
        ] {
            x[flat: index] = value
        }
        let wt = Tensor.random(shape: [channels, 1, 3, 3], in: -0.5...0.5, using: &rng)
        let b = Tensor.random(shape: [channels], using: &rng)
        let g = ConvolutionGeometry(
            inputHeight: h, inputWidth: w, inputChannels: channels, outputChannels: channels, kernelHeight: 3, kernelWidth: 3,
            groups: channels, padding: .uniform(1))
        let depthwise = wt.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
                DepthwiseConvolution3x3(geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: c.activation, kernel: .avx512)
            }
        }
        #expect(depthwise.usesAVX512)
        let q = ActivationQuantization(low: c.low, high: c.high)
        let count = g.outputHeight * g.outputWidth * channels
        var floats = [Float](repeating: 0, count: count)
        var expected = [UInt8](repeating: 0, count: count), actual = [UInt8](repeating: 0xAA, count: count)
        x.withUnsafeBufferPointer { input in
            floats.withUnsafeMutableBufferPointer { depthwise.runRows(0..<g.outputHeight, input: input.baseAddress!, output: $0.baseAddress!) }
            actual.withUnsafeMutableBufferPointer {
                depthwise.runRowsQuantized(0..<g.outputHeight, input: input.baseAddress!, output: $0.baseAddress!, quantization: q)
            }
        }
        ssdd_quantize_row_u8_avx512(floats, count, count, 1 / q.scale, q.zero, &expected)
        let differing = zip(actual, expected).filter { $0.0 != $0.1 }.count
        #expect(differing == 0, "\(c.testDescription): \(differing) of \(count) bytes differ")
        // The hostile inputs reached the outputs (the comparison covers them): NaN and saturated bytes are present.
        #expect(floats.contains { $0.isNaN })
    }
}
