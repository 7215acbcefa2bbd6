import TensorKernelsX86
import TestSupport
import Testing

@testable import TensorEngine

/// The BF16 and INT8 tiles of ``TensorKernelsX86`` on seeded random shapes: each INT8 tile must equal the scalar
/// reference of the same quantized arithmetic to the bit; the BF16 reference must equal float32 sums of the
/// bf16-rounded inputs within float32 rounding, and the `vdpbf16ps` tile the reference exactly (run only on CPUs that
/// have the instructions; the others are skipped, and say so).
@Suite("Reduced-precision kernels")
struct ReducedPrecisionKernelTests {
    /// (rows, depth, cols): tile edges, depths not a multiple of 4, one and several panels.
    static let shapes = [(1, 1, 1), (3, 4, 16), (7, 5, 17), (8, 64, 32), (17, 70, 33), (25, 9, 48), (2, 131, 7), (30, 24, 96)]

    /// The INT8 tiles this CPU runs besides the reference.
    static let int8Kernels = Int8Kernel.allCases.filter { $0 != .reference && $0.isAvailable }

    @Test func int8KernelsRunHere() {
        // The AVX2 tile is the one this project's machines always have; a CPU without it has no tile to compare.
        #expect(!Self.int8Kernels.isEmpty, "no INT8 tile runs on this CPU (features \(CPUPrecisionFeatures.current))")
    }

    @Test(arguments: int8Kernels)
    func int8TileEqualsScalarReference(_ kernel: Int8Kernel) {
        var rng = SplitMix64(seed: 41)
        for (rows, depth, cols) in Self.shapes {
            let padded = (depth + 3) / 4 * 4, ldc = cols + 3
            let weights = (0..<(depth * cols)).map { _ in Int8(Int.random(in: -127...127, using: &rng)) }
            var packed = [Int8](repeating: 0, count: ssdd_int8_packed_count(depth, cols))
            var sums = [Int32](repeating: 0, count: cols)
            ssdd_int8_pack_weights(weights, depth, cols, &packed, &sums)
            #expect(sums == (0..<cols).map { j in weights[(j * depth)..<((j + 1) * depth)].reduce(Int32(0)) { $0 + Int32($1) } })
            let zero = Int32.random(in: 0...255, using: &rng)
            var a = [UInt8](repeating: UInt8(zero), count: rows * padded)
            for r in 0..<rows { for k in 0..<depth { a[r * padded + k] = UInt8.random(in: 0...255, using: &rng) } }
            let multipliers = (0..<cols).map { _ in Float.random(in: 1e-4...1e-2, using: &rng) }
            let bias = (0..<cols).map { _ in Float.random(in: -2...2, using: &rng) }
            let (low, high): (Float, Float) = rows % 2 == 0 ? (0, 6) : (-.infinity, .infinity)
            let sentinel: Float = 12345
            var expected = [Float](repeating: sentinel, count: rows * ldc)
            var actual = expected
            sums.withUnsafeBufferPointer { s in
                multipliers.withUnsafeBufferPointer { m in
                    bias.withUnsafeBufferPointer { b in
                        var e = ssdd_int8_epilogue(
                            sums: s.baseAddress, multipliers: m.baseAddress, bias: b.baseAddress, zero: zero, low: low, high: high)
                        ssdd_int8_gemm_reference(a, padded, rows, depth, packed, cols, &e, &expected, ldc)
                        switch kernel {
                        case .avx2:
                            var wide = [Int16](repeating: 0, count: packed.count)
                            ssdd_int8_widen(packed, packed.count, &wide)
                            let a16 = a.map { Int16($0) }
                            ssdd_int8_gemm_avx2(a16, padded, rows, depth, wide, cols, &e, &actual, ldc)
                        case .vnni:
                            ssdd_int8_gemm_avx512vnni(a, padded, rows, depth, packed, cols, &e, &actual, ldc)
                        case .reference:
                            Issue.record("the reference is not compared with itself")
                        }
                    }
                }
            }
            // The integer sums are exact in every tile and the store is the same fused multiply-add, so equality is
            // exact (== also treats −0 and +0 as equal, which the vector max may produce for the scalar's −0).
            let mismatch = (0..<expected.count).first { expected[$0] != actual[$0] }
            #expect(
                mismatch == nil,
                "\(kernel) rows \(rows) depth \(depth) cols \(cols): first mismatch at \(mismatch ?? -1): expected \(mismatch.map { expected[$0] } ?? 0), got \(mismatch.map { actual[$0] } ?? 0)"
            )
        }
    }

    @Test func quantizationVectorEqualsScalar() {
        var rng = SplitMix64(seed: 42)
        for count in [1, 7, 8, 9, 15, 16, 17, 64, 131] {
            let padded = (count + 3) / 4 * 4
            var x = (0..<count).map { _ in Float.random(in: -5...15, using: &rng) }
            x[0] = 1e30  // clamps, does not overflow the conversion
            if count > 2 { x[count - 1] = -.infinity }
            if count > 16 { x[16] = .nan }
            let q = ActivationQuantization(low: -3, high: 9)
            var scalar = [UInt8](repeating: 0, count: padded), vector = scalar
            var scalar16 = [Int16](repeating: 0, count: padded), vector16 = scalar16
            ssdd_quantize_row_u8(x, count, padded, 1 / q.scale, q.zero, &scalar)
            ssdd_quantize_row_i16(x, count, padded, 1 / q.scale, q.zero, &scalar16)
            if CPUPrecisionFeatures.current.avx2 {
                ssdd_quantize_row_u8_avx2(x, count, padded, 1 / q.scale, q.zero, &vector)
                ssdd_quantize_row_i16_avx2(x, count, padded, 1 / q.scale, q.zero, &vector16)
                #expect(vector == scalar, "count \(count)")
                #expect(vector16 == scalar16, "count \(count)")
            }
            if CPUPrecisionFeatures.current.avx512 {
                var wide = [UInt8](repeating: 0xAA, count: padded)
                ssdd_quantize_row_u8_avx512(x, count, padded, 1 / q.scale, q.zero, &wide)
                #expect(wide == scalar, "count \(count)")
            }
            #expect(scalar.map { Int16($0) } == scalar16, "count \(count)")
            #expect(scalar[0] == 255)
            // Every in-range value comes back within half a step.
            for i in 1..<count where x[i] >= -3 && x[i] <= 9 {  // (false for NaN and −∞)
                let back = Float(Int32(scalar[i]) - q.zero) * q.scale
                #expect(abs(back - x[i]) <= q.scale / 2 * 1.0001, "x \(x[i]) → \(scalar[i]) → \(back)")
            }
        }
    }

    @Test func activationQuantizationKeepsZeroExact() {
        for (low, high) in [(Float(-1), Float(5)), (0, 6), (2, 3), (-4, -1), (0, 0), (-.infinity, 1)] {
            let q = ActivationQuantization(low: low, high: high)
            #expect(q.scale > 0 && q.scale.isFinite && (0...255).contains(q.zero), "\(low)…\(high): \(q)")
            // 0 lies on the grid: it quantizes to `zero` and back to 0.
            #expect(Float(Int32((0 / q.scale).rounded(.toNearestOrEven)) + q.zero - q.zero) * q.scale == 0)
            if low.isFinite, low < 0 { #expect(Float(0 - q.zero) * q.scale <= low + q.scale) }
        }
    }

    @Test func bf16RoundingIsNearestEven() {
        #expect(ssdd_bf16_from_float(1) == 0x3F80)
        // 1 + 2⁻⁸ is halfway between 1 and 1 + 2⁻⁷: ties to the even mantissa (1).
        #expect(ssdd_bf16_from_float(1 + 1.0 / 256) == 0x3F80)
        #expect(ssdd_bf16_from_float(1 + 3.0 / 256) == 0x3F82)
        #expect(ssdd_bf16_from_float(-2.5) == 0xC020)
        #expect(ssdd_bf16_from_float(.infinity) == 0x7F80)
        let nan = ssdd_bf16_from_float(.nan)
        #expect(nan & 0x7F80 == 0x7F80 && nan & 0x7F != 0, "NaN stays NaN: \(String(nan, radix: 16))")
    }

    /// The BF16 reference against float32 sums of the rounded inputs (the error model of BF16: only the inputs are
    /// rounded; products are exact and sums float32), and against the unrounded inputs within the rounding bound.
    @Test func bf16ReferenceFollowsItsErrorModel() {
        var rng = SplitMix64(seed: 43)
        for (rows, depth, cols) in Self.shapes {
            let lda = (depth + 1) / 2 * 2
            let w = (0..<(depth * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<(rows * depth)).map { _ in Float.random(in: -2...2, using: &rng) }
            let bias = (0..<cols).map { _ in Float.random(in: -1...1, using: &rng) }
            var packed = [UInt16](repeating: 0, count: ssdd_bf16_packed_count(depth, cols))
            ssdd_bf16_pack_weights(w, depth, cols, &packed)
            var a = [UInt16](repeating: 0, count: rows * lda)
            a.withUnsafeMutableBufferPointer { a in
                for r in 0..<rows { ssdd_bf16_convert_row(Array(x[(r * depth)..<((r + 1) * depth)]), depth, lda, a.baseAddress! + r * lda) }
            }
            var c = [Float](repeating: 0, count: rows * cols)
            ssdd_bf16_gemm_reference(a, lda, rows, depth, packed, cols, bias, -.infinity, .infinity, &c, cols)
            func rounded(_ v: Float) -> Float { Float(bitPattern: UInt32(ssdd_bf16_from_float(v)) << 16) }
            var worstRounded: Float = 0, worstModel: Float = 0
            for r in 0..<rows {
                for j in 0..<cols {
                    var sum: Float = 0, exact: Double = 0, magnitude: Double = 0
                    for k in 0..<depth {
                        sum += rounded(x[r * depth + k]) * rounded(w[j * depth + k])
                        exact += Double(x[r * depth + k]) * Double(w[j * depth + k])
                        magnitude += abs(Double(x[r * depth + k]) * Double(w[j * depth + k]))
                    }
                    let got = c[r * cols + j]
                    worstRounded = max(worstRounded, abs(got - (sum + bias[j])) / Float(magnitude + 1))
                    // bf16 keeps 8 significant bits (unit roundoff u = 2⁻⁸): |x̂ŵ − xw| ≤ (2u + u²)|xw| per product,
                    // plus float32 summation.
                    let bound = magnitude * (2.0 / 256 + 1.0 / 65_536) + 1e-5 * (magnitude + 1)
                    worstModel = max(worstModel, Float(abs(Double(got) - (exact + Double(bias[j]))) / bound))
                }
            }
            #expect(worstRounded <= 1e-5, "rows \(rows) depth \(depth) cols \(cols): relative |Δ| to rounded inputs \(worstRounded)")
            #expect(worstModel <= 1, "rows \(rows) depth \(depth) cols \(cols): error over the rounding bound ×\(worstModel)")
        }
    }

    @Test(.enabled(if: CPUPrecisionFeatures.current.bf16, "this CPU lacks AVX-512 BF16 (avx512_bf16)"))
    func bf16TileEqualsReference() {
        var rng = SplitMix64(seed: 44)
        for (rows, depth, cols) in Self.shapes {
            let lda = (depth + 1) / 2 * 2
            let w = (0..<(depth * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<(rows * lda)).map { _ in Float.random(in: -2...2, using: &rng) }
            let bias = (0..<cols).map { _ in Float.random(in: -1...1, using: &rng) }
            var packed = [UInt16](repeating: 0, count: ssdd_bf16_packed_count(depth, cols))
            ssdd_bf16_pack_weights(w, depth, cols, &packed)
            var a = [UInt16](repeating: 0, count: rows * lda)
            a.withUnsafeMutableBufferPointer { a in
                for r in 0..<rows { ssdd_bf16_convert_row(Array(x[(r * lda)..<(r * lda + depth)]), depth, lda, a.baseAddress! + r * lda) }
            }
            var expected = [Float](repeating: 0, count: rows * cols), actual = expected
            ssdd_bf16_gemm_reference(a, lda, rows, depth, packed, cols, bias, 0, 6, &expected, cols)
            ssdd_bf16_gemm_avx512bf16(a, lda, rows, depth, packed, cols, bias, 0, 6, &actual, cols)
            let mismatch = (0..<expected.count).first { expected[$0] != actual[$0] }
            #expect(mismatch == nil, "rows \(rows) depth \(depth) cols \(cols): first mismatch at \(mismatch ?? -1)")
        }
    }
}
