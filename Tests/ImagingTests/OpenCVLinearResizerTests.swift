import Foundation
import Imaging
import Testing

@Suite("OpenCV INTER_LINEAR resize on 8-bit pixels, bit for bit")
struct OpenCVLinearResizerTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let `in`: [Int]
            let out: [Int]
            let pixels: [UInt8]
        }
        let cases: [Case]
    }

    static func golden() throws -> Golden {
        let url = try #require(Bundle.module.url(forResource: "opencv_resize_golden", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    @Test("cv2.resize(INTER_LINEAR) of tools/opencv_resize_golden.py: odd sizes down and up, exact 2× down and up, same size")
    func matchesOpenCV() throws {
        let cases = try Self.golden().cases
        #expect(cases.count == 11)
        for c in cases {
            let image = BilinearResizerTests.source(width: c.in[0], height: c.in[1])
            let resized = OpenCVLinearResizer.resize(image, width: c.out[0], height: c.out[1])
            #expect(resized.width == c.out[0] && resized.height == c.out[1])
            let wrong = zip(resized.pixels, c.pixels).filter { $0 != $1 }.count
            #expect(resized.pixels.count == c.pixels.count && wrong == 0, "\(c.in)→\(c.out): \(wrong) bytes differ")
        }
    }

    @Test("the SIMD kernel's vertical rounding, not the plain fixed-point one (cv2 gives 1 1 3 4 5)")
    func verticalRounding() {
        // 1×2 → 1×5: output row 3 mixes rows 0 and 1 (values 1 and 5) with weights 205/1843 of 2048. The plain
        // (h0·b0 + h1·b1 + 2²¹) >> 22 gives 5; OpenCV's SIMD kernel, ((h0 >> 4)·b0 >> 16) + ((h1 >> 4)·b1 >> 16)
        // rounded by (v + 2) >> 2, gives 4 — as cv2.resize does (tools/opencv_resize_golden.py's OpenCV 4.14).
        let image = RGBImage(width: 1, height: 2, pixels: [1, 0, 0, 5, 0, 0])
        let resized = OpenCVLinearResizer.resize(image, width: 1, height: 5)
        #expect((0..<5).map { resized[0, $0].0 } == [1, 1, 3, 4, 5])
    }

    @Test("the preprocessor writes BGR with the affine in B, G, R order")
    func preprocessorBGR() {
        let image = BilinearResizerTests.source(width: 13, height: 9)
        let affine = BilinearResizer.ChannelAffine(scale: (1, 2, 3), offset: (-104, -117, -123))
        let preprocessor = ImagePreprocessor(
            width: 7, height: 5, convention: .openCVLinear, affine: affine, affineBeforeResize: false, reversesChannels: true)
        var values = [Float](repeating: .nan, count: preprocessor.valueCount)
        values.withUnsafeMutableBufferPointer { preprocessor.write(image, into: $0) }
        let resized = OpenCVLinearResizer.resize(image, width: 7, height: 5)
        for pixel in 0..<35 {
            let (r, g, b) = (resized.pixels[pixel * 3], resized.pixels[pixel * 3 + 1], resized.pixels[pixel * 3 + 2])
            #expect(values[pixel * 3] == Float(b) * 1 - 104)
            #expect(values[pixel * 3 + 1] == Float(g) * 2 - 117)
            #expect(values[pixel * 3 + 2] == Float(r) * 3 - 123)
        }
    }
}
