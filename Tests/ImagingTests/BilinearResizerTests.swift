import Foundation
import Imaging
import Testing

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
}
