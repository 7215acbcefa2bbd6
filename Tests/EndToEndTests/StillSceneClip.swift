import Foundation
import Imaging
import MediaIO
import Testing

/// The motion-gating clip, made from real photos: 60 s of a still scene (darknet's dog.jpg, a porch with a dog and a
/// bicycle, scaled to 320 × 240) with the woman of person.jpg (``WalkingPersonClip/cutout()``) walking across it from
/// 25 s to 35 s; 10 frames per second, H.264, and ±3 grey levels of seeded sensor noise on every frame, so the still
/// part is not bit-identical from frame to frame.
enum StillSceneClip {
    static let width = 320
    static let height = 240
    static let framesPerSecond = 10
    static let frameCount = 600
    /// The frames the person is in the picture: her left edge goes from −45 (just outside) to 320 (just outside).
    static let walk = 250..<350
    /// The cut-out's top row (her feet at about 80 + 144).
    static let top = 80

    /// The cut-out's left edge in frame `i` of the walk.
    static func left(frame i: Int) -> Int { -45 + (i - walk.lowerBound) * 365 / (walk.count - 1) }

    /// Writes the clip to `path`.
    static func write(_ path: String) throws {
        let reader = try VideoReader(input: "/usr/share/darknet/data/dog.jpg", options: VideoReaderOptions(outputSize: (width, height)))
        let background = try #require(try reader.nextFrame()).image
        #expect(background.width == width && background.height == height)
        let person = try WalkingPersonClip.cutout()
        let noise = noisePatterns(count: 7, length: width * height * 3)
        let writer = try VideoWriter(path: path, codec: .h264, width: width, height: height, framesPerSecond: framesPerSecond, quality: 18)
        for i in 0..<frameCount {
            var pixels = background.pixels
            if walk.contains(i) { paste(person, left: left(frame: i), into: &pixels) }
            let pattern = noise[i % noise.count]
            for j in pixels.indices { pixels[j] = UInt8(clamping: Int(pixels[j]) + Int(pattern[j])) }
            try writer.append(RGBImage(width: width, height: height, pixels: pixels))
        }
        try writer.finish()
    }

    /// Copies `person` into `pixels` (a frame of this clip) with its left edge at `left`, clipped to the frame.
    private static func paste(_ person: RGBImage, left: Int, into pixels: inout [UInt8]) {
        for y in 0..<person.height where top + y < height {
            for x in 0..<person.width where left + x >= 0 && left + x < width {
                let target = ((top + y) * width + left + x) * 3
                let source = (y * person.width + x) * 3
                pixels[target] = person.pixels[source]
                pixels[target + 1] = person.pixels[source + 1]
                pixels[target + 2] = person.pixels[source + 2]
            }
        }
    }

    /// `count` seeded patterns of `length` offsets in −3…3.
    private static func noisePatterns(count: Int, length: Int) -> [[Int8]] {
        var state: UInt64 = 0x5EED
        return (0..<count).map { _ in
            (0..<length).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int8(Int((state >> 33) % 7) - 3)
            }
        }
    }
}
