import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

@Suite("JPEG encoding through libavcodec's mjpeg encoder")
struct JPEGEncoderTests {
    /// Four flat colour blocks over a horizontal grey ramp: flat areas test colour fidelity, the ramp the range.
    static func testImage(width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height) { x, y in
            if y < height / 2 {
                let block = FixtureVideos.colors[min(x * 4 / width, 3)]
                return block
            }
            let level = UInt8(x * 255 / (width - 1))
            return (level, level, level)
        }
    }

    /// The largest difference of any channel over the pixels where `include` holds.
    static func largestDifference(_ a: RGBImage, _ b: RGBImage, include: (Int, Int) -> Bool) -> Int {
        var worst = 0
        for y in 0..<a.height {
            for x in 0..<a.width where include(x, y) {
                let p = a[x, y], q = b[x, y]
                worst = max(worst, abs(Int(p.0) - Int(q.0)), abs(Int(p.1) - Int(q.1)), abs(Int(p.2) - Int(q.2)))
            }
        }
        return worst
    }

    /// Encodes `image`, writes it to a file and decodes it back through the same reader as any image input.
    static func roundTrip(_ image: RGBImage, encoder: JPEGEncoder) throws -> (bytes: [UInt8], decoded: RGBImage) {
        let bytes = try encoder.encode(image)
        let path = ScratchDirectory.make("jpeg").appendingPathComponent("image.jpg").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (bytes, try StillImage.decode(path))
    }

    @Test(
        "a round trip keeps the size, and colours within a small tolerance away from colour edges", arguments: [JPEGEncoder.Chroma.subsampled, .full])
    func roundTrip(chroma: JPEGEncoder.Chroma) throws {
        let image = Self.testImage(width: 96, height: 64)
        let (bytes, decoded) = try Self.roundTrip(image, encoder: JPEGEncoder(quality: 95, chroma: chroma))
        #expect(bytes.prefix(3) == [0xFF, 0xD8, 0xFF] && bytes.suffix(2) == [0xFF, 0xD9])
        #expect(decoded.width == 96 && decoded.height == 64)
        // Flat blocks, 4 pixels away from every block edge (JPEG's 8×8 blocks and chroma subsampling blur edges).
        let flat = Self.largestDifference(image, decoded) { x, y in
            y >= 4 && y < 28 && (x % 24) >= 4 && (x % 24) < 20
        }
        #expect(flat <= 8, "largest channel difference in flat colour areas: \(flat)")
        let ramp = Self.largestDifference(image, decoded) { _, y in y >= 36 && y < 60 }
        #expect(ramp <= 6, "largest difference on the grey ramp (full range kept): \(ramp)")
    }

    @Test("lower quality makes smaller files and larger errors; one encoder handles changing sizes")
    func qualityAndSizes() throws {
        let image = Self.testImage(width: 96, height: 64)
        let fine = try JPEGEncoder(quality: 95).encode(image)
        let coarse = try JPEGEncoder(quality: 5).encode(image)
        #expect(coarse.count < fine.count)
        let encoder = JPEGEncoder(quality: 80)
        let small = try Self.roundTrip(Self.testImage(width: 17, height: 9), encoder: encoder).decoded
        let large = try Self.roundTrip(image, encoder: encoder).decoded
        #expect(small.width == 17 && small.height == 9 && large.width == 96 && large.height == 64)
        #expect(JPEGEncoder.quantizer(forQuality: 100) == 2 && JPEGEncoder.quantizer(forQuality: 1) == 31)
        #expect(JPEGEncoder(quality: 1000).quality == 100 && JPEGEncoder(quality: -3).quality == 1)
    }

    @Test("an image larger than any input could be is refused with an error, not encoded")
    func tooLarge() {
        let wide = RGBImage(width: 16_385, height: 1, pixels: [UInt8](repeating: 0, count: 16_385 * 3))
        #expect(throws: MediaError.self) { try JPEGEncoder().encode(wide) }
    }
}
