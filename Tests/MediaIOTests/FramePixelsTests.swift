import CFFmpeg
import Foundation
import Imaging
import TestSupport
import Testing

@testable import MediaIO

@Suite("Decoded frames converted where they are read: rows on demand, the whole picture once, libswscale's bytes")
struct FramePixelsTests {
    typealias Planar = PlanarYUVConverterTests

    /// `pixels`' rows in `order`, each copied out before the next is asked for.
    static func rows(of pixels: some RGBRowSource, in order: [Int]) -> [Int: [UInt8]] {
        pixels.withRows { row in
            var rows: [Int: [UInt8]] = [:]
            for y in order { rows[y] = Array(UnsafeBufferPointer(start: row(y), count: pixels.width * 3)) }
            return rows
        }
    }

    static func row(_ y: Int, of image: RGBImage) -> [UInt8] {
        Array(image.pixels[(y * image.width * 3)..<((y + 1) * image.width * 3)])
    }

    @Test(
        "after the first frame of a configuration, frames are kept as decoded; their rows in any order, and the whole picture, are libswscale's bytes, after the decoder's frame is gone"
    )
    func deferredFrames() throws {
        let converter = PixelConverter()
        let reference = PixelConverter(allowsFastPath: false)
        let (i420, i422, i444) = (AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P)
        let sequence = [
            (64, 48, false, i420), (64, 48, false, i420), (64, 48, true, i420), (64, 48, true, i420), (50, 38, false, i422),
            (50, 38, false, i422), (33, 17, false, i444), (33, 17, true, i444), (33, 17, true, i444),
        ]
        var deferred = 0
        for (step, (width, height, full, format)) in sequence.enumerated() {
            let frame = Planar.frame(width: width, height: height, seed: 300 + UInt64(step), fullRange: full, format: format)
            let expected = try reference.convert(frame, width: width, height: height, input: "test")
            let pixels = try converter.pixels(frame, width: width, height: height, input: "test")
            // The decoder's frame goes back (its buffers are written over by the next frame in a real decoder).
            Planar.free(frame)
            #expect(pixels.width == width && pixels.height == height)
            if !pixels.isConverted {
                deferred += 1
                var order = Array(0..<height).reversed() + [height / 2, 0, height - 1]
                var random = SplitMix64(seed: UInt64(step))
                order += (0..<height).map { _ in Int(random.next() % UInt64(height)) }
                for (y, bytes) in Self.rows(of: pixels, in: order) {
                    #expect(bytes == Self.row(y, of: expected), "step \(step), row \(y)")
                }
                #expect(!pixels.isConverted, "step \(step): reading rows does not convert the whole picture")
            }
            #expect(pixels.image == expected, "step \(step)")
            #expect(pixels.isConverted)
            #expect(Self.rows(of: pixels, in: [height - 1, 0])[0] == Self.row(0, of: expected), "step \(step): rows of the kept picture")
        }
        // Every configuration but its first frame (checked against libswscale there, so converted then).
        #expect(deferred == 4)
    }

    @Test("threads reading rows and the whole picture of one frame at once all get the same bytes")
    func concurrentReaders() async throws {
        let frame = Planar.frame(width: 96, height: 64, seed: 7, fullRange: false)
        defer { Planar.free(frame) }
        let converter = PixelConverter()
        let expected = try converter.convert(frame, width: 96, height: 64, input: "test")
        let pixels = try converter.pixels(frame, width: 96, height: 64, input: "test")
        #expect(!pixels.isConverted)
        let results = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    if task % 3 == 0 { return pixels.image == expected }
                    return Self.rows(of: pixels, in: Array(0..<64)).allSatisfy { $0.value == Self.row($0.key, of: expected) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 })
    }

    @Test("a video's frames: the reader defers them, and the exact resizes of their rows equal those of their images")
    func readerFramesResize() throws {
        let path = try FixtureVideos.make(.h264, extension: "mp4", frames: 6, width: 160, height: 120)
        let reader = try VideoReader(input: path)
        var deferred = 0
        while let frame = try reader.nextFrame() {
            let wasConverted = frame.pixels.isConverted
            let conventions = [BilinearResizer.Convention.halfPixel, .tensorFlowLegacy]
            let fromRows = conventions.map { BilinearResizer.resize(frame.pixels, width: 30, height: 30, convention: $0) }
            #expect(frame.pixels.isConverted == wasConverted, "frame \(frame.index): the resizes converted only rows")
            for (convention, resized) in zip(conventions, fromRows) {
                let fromImage = BilinearResizer.resize(frame.image, width: 30, height: 30, convention: convention)
                #expect(resized.map(\.bitPattern) == fromImage.map(\.bitPattern), "frame \(frame.index) \(convention)")
            }
            if !wasConverted { deferred += 1 }
        }
        #expect(deferred == 5)
    }
}
