import TestSupport
import Testing

@testable import TensorEngine

/// ``Int8WindowConvolution`` (3×3, strided, dilated, padded layers in INT8) against a Swift scalar model of the same
/// quantized arithmetic — exact, on every INT8 tile this CPU runs, so the tiles, the two im2col versions and the
/// AVX2 path's float im2col all give the same bits — and against the float32 reference convolution within the
/// quantization error bound; calibrated and dynamic; at 1 and 2 threads, where the work splits by rows or by panels.
@Suite("INT8 window convolution")
struct Int8WindowConvolutionTests {
    static let kernels = Int8Kernel.allCases.filter(\.isAvailable)

    struct Case: CustomStringConvertible {
        var geometry: ConvolutionGeometry
        var activation: FusedActivation
        var description: String {
            let g = geometry
            return "\(g.inputHeight)x\(g.inputWidth)x\(g.inputChannels)→\(g.outputChannels) k\(g.kernelHeight)x\(g.kernelWidth) "
                + "s\(g.strideY),\(g.strideX) d\(g.dilationY),\(g.dilationX) pad \(g.padding)"
        }
    }

    static let cases: [Case] = [
        // SSD300's 3×3, padding 1, with a channel count that is not a multiple of 4 (depth 117, padded to 120).
        Case(
            geometry: .init(
                inputHeight: 9, inputWidth: 11, inputChannels: 13, outputChannels: 40, kernelHeight: 3, kernelWidth: 3,
                padding: .init(top: 1, left: 1, bottom: 1, right: 1)), activation: .relu),
        // TF's SAME at stride 2: padding only at the bottom and right; five panels (a lone last one).
        Case(
            geometry: .init(
                inputHeight: 12, inputWidth: 10, inputChannels: 16, outputChannels: 72, kernelHeight: 3, kernelWidth: 3,
                strideY: 2, strideX: 2, padding: .init(top: 0, left: 0, bottom: 1, right: 1)), activation: .relu6),
        // SSD300's fc6: dilation 6, padding 6, on a map smaller than the dilated window.
        Case(
            geometry: .init(
                inputHeight: 7, inputWidth: 8, inputChannels: 32, outputChannels: 48, kernelHeight: 3, kernelWidth: 3,
                dilationY: 6, dilationX: 6, padding: .init(top: 6, left: 6, bottom: 6, right: 6)), activation: .none),
        // A wide window whose rows are longer than 64 bytes, rectangular, unpadded; few output channels.
        Case(
            geometry: .init(inputHeight: 6, inputWidth: 9, inputChannels: 40, outputChannels: 3, kernelHeight: 2, kernelWidth: 5),
            activation: .none),
        // Large weights (2.4 MB packed, beyond ``Int8WindowConvolution/largeWeightBytes``) on a 4×4 map: at 2 threads the
        // work splits by pairs of panels.
        Case(
            geometry: .init(
                inputHeight: 4, inputWidth: 4, inputChannels: 256, outputChannels: 1024, kernelHeight: 3, kernelWidth: 3,
                padding: .init(top: 1, left: 1, bottom: 1, right: 1)), activation: .relu),
        // A 1×1 with stride 2 (not the pointwise path's), and a 3×3 whose output is one pixel.
        Case(
            geometry: .init(
                inputHeight: 9, inputWidth: 9, inputChannels: 24, outputChannels: 20, kernelHeight: 1, kernelWidth: 1,
                strideY: 2, strideX: 2), activation: .none),
        Case(
            geometry: .init(inputHeight: 3, inputWidth: 3, inputChannels: 64, outputChannels: 16, kernelHeight: 3, kernelWidth: 3),
            activation: .relu),
    ]

    @Test(arguments: kernels)
    func matchesQuantizedModelAndFloatBound(_ kernel: Int8Kernel) throws {
        for (index, c) in Self.cases.enumerated() {
            let g = c.geometry
            #expect(g.invalidReason == nil && Int8WindowConvolution.supports(g), "\(c)")
            var rng = SplitMix64(seed: UInt64(70 + index))
            let x = Tensor.random(shape: [g.inputHeight, g.inputWidth, g.inputChannels], in: -1...3, using: &rng)
            let wt = Tensor.random(shape: g.weightShape, in: -0.5...0.5, using: &rng)
            let b = Tensor.random(shape: [g.outputChannels], using: &rng)
            let xs = x.values, ws = wt.values, bs = b.values
            for calibrated in [false, true] {
                // A calibrated range narrower than the data: values outside clamp, as they would at run time.
                let q = calibrated ? ActivationQuantization(low: -0.5, high: 2.5) : ActivationQuantization(low: xs.min()!, high: xs.max()!)
                let conv = ws.withUnsafeBufferPointer { wp in
                    bs.withUnsafeBufferPointer { bp in
                        Int8WindowConvolution(
                            geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: c.activation,
                            calibration: calibrated ? q : nil, kernel: kernel)
                    }
                }
                let expected = Self.quantizedModel(c, conv: conv, x: xs, w: ws, b: bs, q: q)
                for threads in [1, 2] {
                    let out = Self.run(conv, input: x, threads: threads)
                    let worst = zip(out, expected).map { abs($0 - $1) }.max() ?? 0
                    #expect(
                        worst == 0 && !out.contains(where: \.isNaN),
                        "\(kernel) \(c) calibrated \(calibrated) threads \(threads): |Δ| to the quantized model \(worst)")
                    if !calibrated, threads == 1 {
                        let ratio = Self.worstOverBound(c, out: out, x: xs, w: ws, b: bs, q: q, scales: conv.panels.weightScales)
                        #expect(ratio <= 1, "\(kernel) \(c): error over the quantization bound ×\(ratio)")
                    }
                }
            }
        }
    }

    /// ``Precision/int8`` takes every ungrouped geometry with a deep enough window, and leaves the 3-channel stems and
    /// the depthwise convolutions to fp32.
    @Test func int8PrecisionChoosesTheWindowPathWhereItPays() {
        let deep = ConvolutionGeometry(
            inputHeight: 8, inputWidth: 8, inputChannels: 16, outputChannels: 8, kernelHeight: 3, kernelWidth: 3,
            padding: .init(top: 1, left: 1, bottom: 1, right: 1))
        var stem = deep
        stem.inputChannels = 3
        var depthwise = deep
        depthwise.outputChannels = 16
        depthwise.groups = 16
        #expect(Int8WindowConvolution.pays(for: deep))
        #expect(!Int8WindowConvolution.pays(for: stem) && Int8WindowConvolution.supports(stem))
        #expect(!Int8WindowConvolution.supports(depthwise))
        guard Precision.int8.resolved().effective == .int8 else { return }
        for (g, expected) in [(deep, Precision.int8), (stem, .fp32), (depthwise, .fp32)] {
            let weights = [Float](repeating: 0.25, count: g.weightShape.reduce(1, *))
            let conv = weights.withUnsafeBufferPointer {
                Convolution2D(geometry: g, weights: $0, bias: nil, activation: .none, precision: .int8)
            }
            #expect(conv.precision == expected, "\(g)")
            if expected == .int8 { #expect(conv.scratchCount(threads: 2) >= (g.inputHeight * g.inputWidth * g.inputChannels + 3) / 4) }
        }
    }

    static func run(_ conv: Int8WindowConvolution, input: Tensor, threads: Int) -> [Float] {
        let g = conv.geometry
        let count = g.outputHeight * g.outputWidth * g.outputChannels
        let output = TensorStorage(count: count)
        output.pointer.update(repeating: .nan, count: count)
        // Scratch filled with a byte the quantization never leaves in place, so a missed write shows.
        let scratch = TensorStorage(count: max(1, conv.scratchCount(threads: threads)))
        UnsafeMutableRawPointer(scratch.pointer).initializeMemory(as: UInt8.self, repeating: 0xA5, count: scratch.count * 4)
        input.withUnsafeBufferPointer { x in
            conv.run(input: x.baseAddress!, output: output.pointer, scratch: scratch.pointer, pool: ComputePool(threadCount: threads))
        }
        return Array(UnsafeBufferPointer(start: output.pointer, count: count))
    }

    /// The quantized arithmetic in Swift: uint8 activations (zero point in the padding), int8 weights per output
    /// channel over the whole window, int32 sums, the tile's store.
    static func quantizedModel(
        _ c: Case, conv: Int8WindowConvolution, x: [Float], w: [Float], b: [Float], q: ActivationQuantization
    ) -> [Float] {
        let g = c.geometry, cin = g.inputChannels, cout = g.outputChannels, kh = g.kernelHeight, kw = g.kernelWidth
        let qx = x.map { v -> Int32 in
            let s = min(max(v / q.scale, -512), 512).rounded(.toNearestOrEven) + Float(q.zero)
            return Int32(min(max(s, 0), 255))
        }
        let scales = conv.panels.weightScales
        let qw = w.indices.map { i -> Int32 in
            let co = i / (cin * kh * kw)
            return Int32(max(min((w[i] / scales[co]).rounded(.toNearestOrEven), 127), -127))
        }
        let (low, high) = c.activation.clampBounds
        var out = [Float](repeating: 0, count: g.outputHeight * g.outputWidth * cout)
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for co in 0..<cout {
                    var acc: Int32 = 0, sumW: Int32 = 0
                    for ci in 0..<cin {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let wq = qw[((co * cin + ci) * kh + ky) * kw + kx]
                                sumW += wq
                                let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                                let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                                let inside = iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth
                                acc += (inside ? qx[(iy * g.inputWidth + ix) * cin + ci] : q.zero) * wq
                            }
                        }
                    }
                    let value = b[co].addingProduct(Float(acc - q.zero * sumW), scales[co] * q.scale)
                    out[(oy * g.outputWidth + ox) * cout + co] = min(max(value, low), high)
                }
            }
        }
        return out
    }

    /// The largest error against the float32 reference over its bound `Σ |x|·s_w/2 + |w|·s_a/2 + s_w·s_a/4` (taps in the
    /// padding are exactly 0 in both).
    static func worstOverBound(
        _ c: Case, out: [Float], x: [Float], w: [Float], b: [Float], q: ActivationQuantization, scales: [Float]
    ) -> Float {
        let g = c.geometry, cin = g.inputChannels, cout = g.outputChannels, kh = g.kernelHeight, kw = g.kernelWidth
        let (low, high) = c.activation.clampBounds
        var worst: Float = 0
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for co in 0..<cout {
                    var exact = b[co], bound: Float = 0
                    for ci in 0..<cin {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                                let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                                guard iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth else { continue }
                                let xv = x[(iy * g.inputWidth + ix) * cin + ci], wv = w[((co * cin + ci) * kh + ky) * kw + kx]
                                exact += xv * wv
                                bound += abs(xv) * scales[co] / 2 + abs(wv) * q.scale / 2 + scales[co] * q.scale / 4
                            }
                        }
                    }
                    let reference = min(max(exact, low), high)
                    worst = max(worst, abs(out[(oy * g.outputWidth + ox) * cout + co] - reference) / (bound + 1e-5))
                }
            }
        }
        return worst
    }
}
