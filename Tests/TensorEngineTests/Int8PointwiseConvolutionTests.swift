import TestSupport
import Testing

@testable import TensorEngine

/// ``Int8PointwiseConvolution`` (a whole 1×1 layer in INT8) against a Swift scalar model of the same quantized
/// arithmetic (exact) and against the float32 reference convolution within the quantization error bound, on every
/// INT8 tile this CPU runs, calibrated and dynamic; and ``Precision/resolved(on:)``'s fallbacks.
@Suite("INT8 pointwise convolution")
struct Int8PointwiseConvolutionTests {
    static let kernels = Int8Kernel.allCases.filter(\.isAvailable)
    /// (h, w, cin, cout, activation)
    static let cases: [(Int, Int, Int, Int, FusedActivation)] = [
        (5, 7, 16, 24, .relu6), (19, 19, 96, 24, .none), (3, 3, 13, 40, .relu), (10, 10, 64, 384, .relu6), (1, 1, 5, 3, .none),
    ]

    @Test(arguments: kernels)
    func matchesQuantizedModelAndFloatBound(_ kernel: Int8Kernel) throws {
        for (index, (h, w, cin, cout, activation)) in Self.cases.enumerated() {
            for calibrated in [false, true] {
                var rng = SplitMix64(seed: UInt64(50 + index))
                let x = Tensor.random(shape: [h, w, cin], in: -1...3, using: &rng)
                let wt = Tensor.random(shape: [cout, cin, 1, 1], in: -0.5...0.5, using: &rng)
                let b = Tensor.random(shape: [cout], using: &rng)
                let g = ConvolutionGeometry(
                    inputHeight: h, inputWidth: w, inputChannels: cin, outputChannels: cout, kernelHeight: 1, kernelWidth: 1)
                // A calibrated range narrower than the data: values outside clamp, as they would at run time.
                let q =
                    calibrated ? ActivationQuantization(low: -0.5, high: 2.5) : ActivationQuantization(low: x.values.min()!, high: x.values.max()!)
                let conv = wt.values.withUnsafeBufferPointer { wp in
                    b.values.withUnsafeBufferPointer { bp in
                        Int8PointwiseConvolution(
                            geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: activation,
                            calibration: calibrated ? q : nil, kernel: kernel)
                    }
                }
                var out = [Float](repeating: .nan, count: h * w * cout)
                let pool = ComputePool(threadCount: 2)
                x.values.withUnsafeBufferPointer { xp in
                    out.withUnsafeMutableBufferPointer { conv.run(input: xp.baseAddress!, output: $0.baseAddress!, pool: pool) }
                }

                let (low, high) = activation.clampBounds
                // `Tensor.values` copies the tensor: taken once, not per element.
                let xs = x.values, ws = wt.values, bs = b.values
                var worstModel: Float = 0, worstBound: Float = 0
                for p in 0..<(h * w) {
                    let qx = (0..<cin).map { k -> Int32 in
                        let v = (min(max(xs[p * cin + k] / q.scale, -512), 512)).rounded(.toNearestOrEven) + Float(q.zero)
                        return Int32(min(max(v, 0), 255))
                    }
                    for j in 0..<cout {
                        let scale = conv.weightScales[j]
                        var acc: Int32 = 0, sumW: Int32 = 0, exact: Float = 0, bound: Float = 0
                        for k in 0..<cin {
                            let wv = ws[j * cin + k], xv = xs[p * cin + k]
                            let qw = Int32(max(min((wv / scale).rounded(.toNearestOrEven), 127), -127))
                            acc += qx[k] * qw
                            sumW += qw
                            exact += wv * xv
                            // |x̂ŵ − xw| ≤ |x|·s_w/2 + |w|·s_a/2 + s_w·s_a/4 for x inside the quantized range.
                            bound += abs(xv) * scale / 2 + abs(wv) * q.scale / 2 + scale * q.scale / 4
                        }
                        let expected = min(max(fmaModel(acc - q.zero * sumW, scale * q.scale, bs[j]), low), high)
                        let got = out[p * cout + j]
                        worstModel = max(worstModel, abs(got - expected))
                        if !calibrated {
                            let reference = min(max(exact + bs[j], low), high)
                            worstBound = max(worstBound, abs(got - reference) / (bound + 1e-5))
                        }
                    }
                }
                #expect(worstModel == 0, "\(kernel) \(h)x\(w)x\(cin)→\(cout) calibrated \(calibrated): |Δ| to the quantized model \(worstModel)")
                #expect(worstBound <= 1, "\(kernel) \(h)x\(w)x\(cin)→\(cout): error over the quantization bound ×\(worstBound)")
            }
        }
    }

    @Test func resolutionFallsBackNamingTheMissingFeature() {
        let none = CPUPrecisionFeatures(avx2: false, avx512: false, bf16: false, vnni: false, bf16MultiplyAddRatio: 0)
        let avx2 = CPUPrecisionFeatures(avx2: true, avx512: false, bf16: false, vnni: false, bf16MultiplyAddRatio: 0)
        let zen4 = CPUPrecisionFeatures(avx2: true, avx512: true, bf16: true, vnni: true, bf16MultiplyAddRatio: 2.0)
        let skylake = CPUPrecisionFeatures(avx2: true, avx512: true, bf16: false, vnni: false, bf16MultiplyAddRatio: 0)
        // Measured on a 2-vCPU Intel Xeon, family 6 model 207 (Emerald Rapids, no AMX in the VM): 0.50.
        let emeraldRapids = CPUPrecisionFeatures(avx2: true, avx512: true, bf16: true, vnni: true, bf16MultiplyAddRatio: 0.502)
        #expect(Precision.bf16.resolved(on: zen4) == .init(requested: .bf16, effective: .bf16, warning: nil))
        #expect(Precision.int8.resolved(on: zen4).effective == .int8)
        #expect(
            Precision.int8.resolved(on: avx2)
                == .init(
                    requested: .int8, effective: .int8,
                    warning: "precision int8: this CPU lacks avx512_vnni; running the AVX2 int8 kernel (same results, not faster than fp32)"))
        #expect(Precision.int8.resolved(on: zen4) == .init(requested: .int8, effective: .int8, warning: nil))
        #expect(Precision.bf16.resolved(on: skylake).warning == "precision bf16: this CPU lacks avx512_bf16; running fp32")
        #expect(Precision.bf16.resolved(on: avx2).effective == .fp32)
        #expect(Precision.bf16.resolved(on: avx2).warning == "precision bf16: this CPU lacks avx512f/avx512bw/avx512vl and avx512_bf16; running fp32")
        #expect(Precision.int8.resolved(on: none).warning == "precision int8: this CPU lacks avx512_vnni and avx2; running fp32")
        #expect(Precision.fp32.resolved(on: none).warning == nil)
        #expect(
            Precision.bf16.resolved(on: emeraldRapids)
                == .init(
                    requested: .bf16, effective: .fp32,
                    warning: "precision bf16: this CPU's vdpbf16ps does 0.50× the multiply-adds per second of its fp32 FMAs "
                        + "(bf16 pays from 1.5×); running fp32, which is faster here; for speed, precision int8 runs on VNNI here "
                        + "(with a model from `ssdd model calibrate`)"))
        let bf16WithoutVNNI = CPUPrecisionFeatures(avx2: true, avx512: true, bf16: true, vnni: false, bf16MultiplyAddRatio: 0.5)
        #expect(Precision.bf16.resolved(on: bf16WithoutVNNI).warning?.hasSuffix("running fp32, which is faster here") == true)
        #expect(Precision.int8.resolved(on: emeraldRapids) == .init(requested: .int8, effective: .int8, warning: nil))
        #expect(!CPUPrecisionFeatures(avx2: true, avx512: true, bf16: false, vnni: false, bf16MultiplyAddRatio: 2).bf16Pays)
    }

    /// The timed ratio is a real measurement: 0 without AVX-512 BF16, else positive and finite (2 on Zen 4/5, 0.5 on
    /// Intel without AMX; a broken timer or loop would give 0, infinity or NaN).
    @Test func bf16RatioIsMeasuredOnThisCPU() {
        let cpu = CPUPrecisionFeatures.current
        if cpu.bf16 {
            #expect(cpu.bf16MultiplyAddRatio > 0.1 && cpu.bf16MultiplyAddRatio < 10, "ratio \(cpu.bf16MultiplyAddRatio)")
        } else {
            #expect(cpu.bf16MultiplyAddRatio == 0)
        }
    }
}

/// The tile's store: `fmaf(Float(acc), multiplier, bias)`, one rounding.
private func fmaModel(_ acc: Int32, _ multiplier: Float, _ bias: Float) -> Float {
    bias.addingProduct(Float(acc), multiplier)
}
