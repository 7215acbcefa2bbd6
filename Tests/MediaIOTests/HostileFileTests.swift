import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

/// Files whose content lies: every one ends in a precise error or a report, never a crash or a huge allocation.
@Suite("Hostile file contents")
struct HostileFileTests {
    private func open(_ path: String, options: VideoReaderOptions = VideoReaderOptions()) -> MediaError? {
        do {
            _ = try VideoReader(input: path, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test("random bytes named .mp4")
    func randomBytes() throws {
        let path = try HostileFixtures.file("random.mp4", HostileMediaFixtures.randomBytes(100_000, seed: 7))
        #expect(open(path)?.message == "cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)")
    }

    @Test("an MP4 cut inside its header")
    func truncatedHeader() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: try FixtureVideos.make(.h264, extension: "mp4", frames: 10)))
        let path = try HostileFixtures.file("cut.mp4", whole.prefix(200))
        let error = try #require(open(path))
        #expect(error.kind == .format)
        #expect(error.message == "cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)")
    }

    @Test("a stream header claiming 65535×65535 (past FFmpeg's own image limit): the demuxer's odd code is explained")
    func hugeDeclaredSize() throws {
        let path = try HostileFixtures.file("huge.y4m", HostileMediaFixtures.y4m(width: 65535, height: 65535))
        let error = try #require(open(path))
        #expect(error.kind == .format)
        #expect(error.message == "cannot open input: not a video FFmpeg can read, or corrupt (FFmpeg: Device or resource busy)")
    }

    @Test(
        "headers claiming more pixels than the limit are refused before a frame is allocated",
        arguments: [
            (16000, 16000), (8000, 6000), (20000, 8),
        ])
    func overLimit(_ width: Int, _ height: Int) throws {
        let path = try HostileFixtures.file("big-\(width).y4m", HostileMediaFixtures.y4m(width: width, height: height))
        #expect(
            open(path)
                == MediaError(
                    .unsupported, input: path,
                    message:
                        "cannot decode the rawvideo stream: the frame size \(width)×\(height) is larger than this reader accepts (at most 16384 pixels a side and 40000000 pixels)"
                ))
    }

    @Test("the pixel limit is an option")
    func pixelLimitOption() throws {
        let path = try HostileFixtures.file("small.y4m", HostileMediaFixtures.y4m(width: 64, height: 48, payload: 64 * 48 * 3 / 2))
        #expect(open(path) == nil)
        #expect(
            open(path, options: VideoReaderOptions(maximumPixels: 3000))
                == MediaError(
                    .unsupported, input: path,
                    message:
                        "cannot decode the rawvideo stream: the frame size 64×48 is larger than this reader accepts (at most 16384 pixels a side and 3000 pixels)"
                ))
        #expect(
            open(path, options: VideoReaderOptions(maximumPixels: 0))
                == MediaError(
                    .argument, input: path, message: "maximum frame size must be 1 to 268435456 pixels, got 0"))
    }

    @Test("images whose header claims an absurd size", arguments: [(UInt32(100_000), UInt32(100_000)), (16000, 16000), (65535, 1)])
    func absurdImage(_ width: UInt32, _ height: UInt32) throws {
        let path = try HostileFixtures.file("huge-\(width)x\(height).png", HostileMediaFixtures.png(width: width, height: height))
        let error = try #require(open(path))
        if width > 16384 && height == 1 {
            #expect(
                error.message
                    == "cannot decode the png stream: the frame size \(width)×1 is larger than this reader accepts (at most 16384 pixels a side and 40000000 pixels)"
            )
        } else {
            #expect(error.message == "cannot decode the png stream: no frame size (not a valid image or video, or corrupt)")
        }
    }

    @Test("a video stream in a codec FFmpeg cannot decode")
    func unknownCodec() throws {
        let path = try HostileFixtures.file("zzzz.avi", try HostileFixtures.unknownCodecAVI())
        #expect(open(path) == MediaError(.unsupported, input: path, message: "no decoder for the video stream (video none)", code: -1_128_613_112))
    }

    @Test("a zero frame rate in the header: frames still decode")
    func zeroFrameRate() throws {
        let path = try HostileFixtures.file("zero-rate.y4m", HostileMediaFixtures.y4m(width: 64, height: 48, rate: "0:0", payload: 64 * 48 * 3 / 2))
        let probe = try MediaProbe.probe(path, decode: true)
        #expect(probe.frameCount == 1 && probe.errors.isEmpty)
        #expect(probe.frameRate.map { $0.isFinite && $0 > 0 } ?? true)
    }

    @Test("zero time scales: every time is finite or absent, so the report encodes as JSON")
    func zeroTimeScale() throws {
        let path = try HostileFixtures.file("zero-scale.mp4", try HostileFixtures.zeroTimeScaleMP4())
        let reader = try VideoReader(input: path)
        while let frame = try reader.nextFrame() {
            #expect(frame.presentationTime.map(\.isFinite) ?? true)
        }
        let probe = try MediaProbe.probe(path, decode: true)
        #expect(probe.frameRate.map(\.isFinite) ?? true)
        #expect(probe.duration.map(\.isFinite) ?? true)
        _ = try JSONEncoder().encode(probe)
    }

    @Test("an MP4 with no frames at all")
    func noFrames() throws {
        let path = try FixtureVideos.make(.h264, extension: "mp4", frames: 0)
        #expect(open(path) == MediaError(.unsupported, input: path, message: "no video stream (found: no streams)", code: -1_381_258_232))
    }

    @Test("a mid-stream size change is reported with the frame and the new size")
    func sizeChange() throws {
        let path = try HostileFixtures.file("resize.ts", try HostileFixtures.sizeChangeTS(frames: 10))
        let probe = try MediaProbe.probe(path, decode: true)
        #expect(probe.width == 64 && probe.height == 48)
        #expect(probe.frameCount == 20)
        #expect(probe.sizeChanges == [FrameSizeChange(frame: 10, width: 96, height: 64)])
        #expect(probe.errors.isEmpty)
        let reader = try VideoReader(input: path)
        var sizes: [Int: (Int, Int)] = [:]
        while let frame = try reader.nextFrame() { sizes[frame.index] = (frame.image.width, frame.image.height) }
        #expect(sizes[9]! == (64, 48) && sizes[10]! == (96, 64))
    }

    @Test("the same decoder error on many packets is listed once, with its count")
    func repeatedErrorsOnce() throws {
        let clean = try Data(contentsOf: URL(fileURLWithPath: try FixtureVideos.make(.h264, extension: "mp4", frames: 40)))
        var data = clean
        let start = try #require(data.range(of: Data("mdat".utf8))).upperBound + 64
        let noise = HostileMediaFixtures.randomBytes(data.count, seed: 3)
        for offset in stride(from: start, to: data.count - 2000, by: 24) { data[offset] = noise[offset] }
        let path = try HostileFixtures.file("noisy.mp4", data)
        let probe = try MediaProbe.probe(path, decode: true)
        #expect(Set(probe.errors).count == probe.errors.count, "\(probe.errors)")
        let skipped = probe.errors.filter { $0.hasPrefix("skipped a packet the decoder rejected: ") }
        #expect(skipped.count == 1, "\(probe.errors)")
        let count = skipped.first.flatMap { $0.split(separator: "(").last }.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect((count ?? 0) > 1, "\(probe.errors)")
    }
}
