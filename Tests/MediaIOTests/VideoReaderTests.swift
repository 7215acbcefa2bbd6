import Foundation
import Imaging
import MediaIO
import Testing

@Suite("Decoding fixture videos made through libavcodec")
struct VideoReaderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let codec: VideoWriter.Codec
        let ext: String
        let container: String
        /// Largest allowed per-channel error at pixels at least 4 px away from a quadrant edge.
        let tolerance: Int
        var testDescription: String { "\(codec.rawValue)/\(ext)" }
    }

    static let cases = [
        Case(codec: .ffv1, ext: "mkv", container: "matroska,webm", tolerance: 0),
        Case(codec: .mpeg4, ext: "avi", container: "avi", tolerance: 8),
        Case(codec: .mjpeg, ext: "avi", container: "avi", tolerance: 8),
        Case(codec: .h264, ext: "mp4", container: "mov,mp4,m4a,3gp,3g2,mj2", tolerance: 8),
    ]

    @Test("frame count, timestamps, size and pixels survive the round trip", arguments: cases)
    func roundTrip(_ c: Case) throws {
        let path = try FixtureVideos.make(c.codec, extension: c.ext)
        let reader = try VideoReader(input: path)
        #expect(reader.info.container == c.container)
        #expect(reader.info.width == 64 && reader.info.height == 48)
        #expect(abs((reader.info.frameRate ?? 0) - 25) < 1e-9)
        var index = 0
        while let frame = try reader.nextFrame() {
            #expect(frame.index == index)
            #expect(abs((frame.presentationTime ?? -1) - Double(index) * 0.04) < 1e-9, "pts of frame \(index)")
            #expect(frame.sourceWidth == 64 && frame.sourceHeight == 48)
            #expect(frame.image.width == 64 && frame.image.height == 48)
            let corner = FixtureVideos.corner(width: 64, height: 48, index: index)
            var worst = 0
            for y in 0..<48 where abs(y - corner.y) >= 4 {
                for x in 0..<64 where abs(x - corner.x) >= 4 {
                    let want = FixtureVideos.color(x: x, y: y, width: 64, height: 48, index: index)
                    let got = frame.image[x, y]
                    worst = max(worst, abs(Int(got.0) - Int(want.0)), abs(Int(got.1) - Int(want.1)), abs(Int(got.2) - Int(want.2)))
                }
            }
            #expect(worst <= c.tolerance, "frame \(index): max channel error \(worst)")
            index += 1
        }
        #expect(index == 25)
        #expect(reader.decodedFrameCount == 25)
        #expect(reader.warnings.isEmpty)
    }

    @Test("lossless frames are exact everywhere, including the quadrant edges")
    func losslessExact() throws {
        let path = try FixtureVideos.make(.ffv1, extension: "mkv", frames: 5)
        let reader = try VideoReader(input: path)
        var index = 0
        while let frame = try reader.nextFrame() {
            #expect(frame.image == FixtureVideos.frame(width: 64, height: 48, index: index))
            index += 1
        }
        #expect(index == 5)
    }

    @Test("swscale path scales straight to the requested size")
    func scaledOutput() throws {
        let path = try FixtureVideos.make(.ffv1, extension: "mkv", frames: 3, width: 120, height: 90)
        let reader = try VideoReader(input: path, options: VideoReaderOptions(outputSize: (30, 30)))
        let frame = try #require(try reader.nextFrame())
        #expect(frame.image.width == 30 && frame.image.height == 30)
        #expect(frame.sourceWidth == 120 && frame.sourceHeight == 90)
        // Far from the edges the colours are the quadrants' (bilinear of a flat area is exact).
        #expect(frame.image[2, 2] == FixtureVideos.colors[0])
        #expect(frame.image[27, 27] == FixtureVideos.colors[3])
    }

    @Test("every Nth frame and a frame-rate cap select frames by index and stream time")
    func selection() throws {
        let path = try FixtureVideos.make(.mpeg4, extension: "avi", frames: 25)
        func indices(_ selection: FrameSelection) throws -> [Int] {
            let reader = try VideoReader(input: path, options: VideoReaderOptions(outputSize: (8, 8), selection: selection))
            var result: [Int] = []
            while let frame = try reader.nextFrame() { result.append(frame.index) }
            #expect(reader.decodedFrameCount == 25)
            return result
        }
        #expect(try indices(FrameSelection(everyNth: 5)) == [0, 5, 10, 15, 20])
        #expect(try indices(FrameSelection(maxFramesPerSecond: 5)) == [0, 5, 10, 15, 20])
        #expect(try indices(FrameSelection(maxFramesPerSecond: 10)) == [0, 3, 5, 8, 10, 13, 15, 18, 20, 23])
        #expect(try indices(FrameSelection(everyNth: 2, maxFramesPerSecond: 5)) == [0, 6, 10, 16, 20])
        #expect(throws: MediaError(.argument, input: path, message: "every-Nth must be at least 1, got 0")) {
            try VideoReader(input: path, options: VideoReaderOptions(selection: FrameSelection(everyNth: 0)))
        }
    }

    @Test("decoder thread count is configurable and does not change the output")
    func decoderThreads() throws {
        let path = try FixtureVideos.make(.h264, extension: "mp4", frames: 10)
        var checksums: [[UInt8]] = []
        for threads in [1, 2] {
            let reader = try VideoReader(input: path, options: VideoReaderOptions(decoderThreads: threads))
            var all: [UInt8] = []
            while let frame = try reader.nextFrame() { all += frame.image.pixels }
            checksums.append(all)
        }
        #expect(checksums[0] == checksums[1])
    }
}
