import Foundation
import Testing

@testable import Imaging

@Suite("Exact bilinear resize kernels against torch and TensorFlow")
struct BilinearResizerTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let `in`: [Int]
            let out: [Int]
            let torch: [Float]
            let tf_legacy: [Float]
        }
        let cases: [Case]
    }

    /// The source image formula of tools/resize_golden.py.
    static func source(width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height) { x, y in
            (UInt8((x * 37 + y * 11) % 256), UInt8((x * x + 3 * y) % 256), UInt8((x * y * 5 + 17) % 256))
        }
    }

    static func golden() throws -> Golden {
        let url = try #require(Bundle.module.url(forResource: "resize_golden", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    @Test(
        "torch F.interpolate(bilinear, align_corners=False) to 5e-4 (2e-6 of the 0…255 range; ATen sums in another order) and TF1 legacy ResizeBilinear bit-exactly"
    )
    func matchesFrameworks() throws {
        for c in try Self.golden().cases {
            let image = Self.source(width: c.in[0], height: c.in[1])
            let half = BilinearResizer.resize(image, width: c.out[0], height: c.out[1], convention: .halfPixel)
            let legacy = BilinearResizer.resize(image, width: c.out[0], height: c.out[1], convention: .tensorFlowLegacy)
            #expect(half.count == c.torch.count && legacy.count == c.tf_legacy.count)
            let halfError = zip(half, c.torch).map { abs($0 - $1) }.max() ?? 0
            let legacyError = zip(legacy, c.tf_legacy).map { abs($0 - $1) }.max() ?? 0
            #expect(halfError <= 5e-4, "\(c.in)→\(c.out): torch max error \(halfError)")
            #expect(legacyError == 0, "\(c.in)→\(c.out): TF legacy max error \(legacyError)")
        }
    }

    @Test("TF legacy ramps of the reference notes")
    func legacyRamps() {
        let down = RGBImage(width: 10, height: 1) { x, _ in (UInt8(x), 0, 0) }
        let values = BilinearResizer.resize(down, width: 4, height: 1, convention: .tensorFlowLegacy)
        #expect(stride(from: 0, to: 12, by: 3).map { values[$0] } == [0, 2.5, 5, 7.5])
        let up = RGBImage(width: 4, height: 1) { x, _ in (UInt8(x), 0, 0) }
        let upValues = BilinearResizer.resize(up, width: 10, height: 1, convention: .tensorFlowLegacy)
        let expected: [Float] = [0, 0.4, 0.8, 1.2, 1.6, 2, 2.4, 2.8, 3, 3]
        #expect(zip(stride(from: 0, to: 30, by: 3).map { upValues[$0] }, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test("the affine map before or after resizing")
    func affine() {
        let image = Self.source(width: 9, height: 7)
        let affine = BilinearResizer.ChannelAffine(scale: (2 / 255, 2 / 255, 2 / 255), offset: (-1, -1, -1))
        let plain = BilinearResizer.resize(image, width: 5, height: 4, convention: .halfPixel)
        let after = BilinearResizer.resize(image, width: 5, height: 4, convention: .halfPixel, affine: affine)
        let before = BilinearResizer.resize(image, width: 5, height: 4, convention: .halfPixel, affine: affine, affineBeforeResize: true)
        for i in plain.indices {
            #expect(after[i] == plain[i] * (2 / 255) - 1)
            #expect(abs(before[i] - after[i]) < 1e-5)
        }
    }

    /// The per-pixel formulas (each output value from its four source values), which the resizer computes row by row
    /// (each source row's horizontal pass once): the same operations, so the same bits.
    static func perPixel(
        _ image: RGBImage, width: Int, height: Int, legacy: Bool, affine: BilinearResizer.ChannelAffine, before: Bool
    ) -> [Float] {
        func taps(_ input: Int, _ output: Int) -> [(Int, Int, Float)] {
            let scale = Float(input) / Float(output)
            return (0..<output).map { i in
                if legacy {
                    let source = Float(i) * scale
                    let low = Int(source.rounded(.down))
                    return (low, min(Int(source.rounded(.up)), input - 1), source - Float(low))
                }
                let source = max(scale * (Float(i) + 0.5) - 0.5, 0)
                let low = min(Int(source.rounded(.down)), input - 1)
                return (low, low < input - 1 ? low + 1 : low, min(max(source - Float(low), 0), 1))
            }
        }
        let xs = taps(image.width, width), ys = taps(image.height, height)
        let scales = [affine.scale.0, affine.scale.1, affine.scale.2], offsets = [affine.offset.0, affine.offset.1, affine.offset.2]
        var out = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    func v(_ sx: Int, _ sy: Int) -> Float {
                        let raw = Float(image.pixels[(sy * image.width + sx) * 3 + c])
                        return before ? raw * scales[c] + offsets[c] : raw
                    }
                    let (t, b, wy) = ys[y], (l, r, wx) = xs[x]
                    var value: Float
                    if legacy {
                        let top = v(l, t) + (v(r, t) - v(l, t)) * wx, bottom = v(l, b) + (v(r, b) - v(l, b)) * wx
                        value = top + (bottom - top) * wy
                    } else {
                        let top = v(l, t) * (1 - wx) + v(r, t) * wx, bottom = v(l, b) * (1 - wx) + v(r, b) * wx
                        value = top * (1 - wy) + bottom * wy
                    }
                    out[(y * width + x) * 3 + c] = before ? value : value * scales[c] + offsets[c]
                }
            }
        }
        return out
    }

    @Test("row by row equals the per-pixel formulas bit for bit: both conventions, affine before or after, down and up")
    func rowPassesEqualPerPixel() {
        let affine = BilinearResizer.ChannelAffine(scale: (0.017, 0.0175, 0.0171), offset: (-2.1, -2.03, -1.8))
        for (w, h, ow, oh) in [(640, 480, 300, 300), (17, 9, 5, 4), (5, 4, 13, 11), (300, 300, 300, 300), (1, 1, 3, 2), (7, 30, 7, 3)] {
            let image = Self.source(width: w, height: h)
            for legacy in [true, false] {
                for before in [false, true] {
                    let got = BilinearResizer.resize(
                        image, width: ow, height: oh, convention: legacy ? .tensorFlowLegacy : .halfPixel, affine: affine,
                        affineBeforeResize: before)
                    let expected = Self.perPixel(image, width: ow, height: oh, legacy: legacy, affine: affine, before: before)
                    let differing = zip(got, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                    #expect(differing == 0, "\(w)x\(h) → \(ow)x\(oh), legacy \(legacy), affine before \(before): \(differing) values differ")
                }
            }
        }
    }

    @Test(
        "the AVX-512 rows equal the portable rows and the per-pixel formulas bit for bit: one window, two, and too wide for both",
        .enabled(if: BilinearResizer.VectorRows.isSupported, "this CPU lacks AVX-512 VBMI: only the portable rows run here"))
    func vectorRowsEqualPortable() {
        let affine = BilinearResizer.ChannelAffine(scale: (0.017, 0.0175, 0.0171), offset: (-2.1, -2.03, -1.8))
        // 640 → 300 reads 16 values from ≤ 64 bytes, 1920 → 300 from ≤ 128 (two windows), 4000 → 90 from more (value by
        // value); 5 → 13 enlarges; 21 and 7 leave tails after the whole chunks.
        for (w, h, ow, oh) in [(640, 480, 300, 300), (1920, 40, 300, 7), (4000, 9, 90, 3), (5, 4, 13, 11), (29, 3, 21, 2), (1, 1, 7, 1)] {
            let image = Self.source(width: w, height: h)
            for convention in [BilinearResizer.Convention.tensorFlowLegacy, .halfPixel] {
                for before in [false, true] {
                    func resized(vectorRows: Bool) -> [Float] {
                        var out = [Float](repeating: .nan, count: ow * oh * 3)
                        out.withUnsafeMutableBufferPointer {
                            BilinearResizer.resize(
                                image, width: ow, height: oh, convention: convention, affine: affine, affineBeforeResize: before,
                                vectorRows: vectorRows, into: $0)
                        }
                        return out
                    }
                    let vector = resized(vectorRows: true), portable = resized(vectorRows: false)
                    let expected = Self.perPixel(
                        image, width: ow, height: oh, legacy: convention == .tensorFlowLegacy, affine: affine, before: before)
                    let differing = zip(vector, portable).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                    let fromFormula = zip(vector, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                    #expect(
                        differing == 0 && fromFormula == 0,
                        "\(w)x\(h) → \(ow)x\(oh), \(convention), affine before \(before): \(differing) differ from the portable rows, \(fromFormula) from the formula"
                    )
                }
            }
        }
    }
}
