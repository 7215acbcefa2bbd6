import Foundation
import Imaging
import MediaIO
import TestSupport

/// Test videos made through libavcodec with known content: four solid quadrants whose shared corner moves one
/// pixel right and down per frame.
enum FixtureVideos {
    static let colors: [(UInt8, UInt8, UInt8)] = [(230, 30, 30), (30, 200, 40), (40, 50, 220), (240, 240, 240)]

    /// The quadrant corner of frame `index`.
    static func corner(width: Int, height: Int, index: Int) -> (x: Int, y: Int) {
        (width / 3 + index, height / 3 + index)
    }

    /// The colour frame `index` has at pixel (x, y).
    static func color(x: Int, y: Int, width: Int, height: Int, index: Int) -> (UInt8, UInt8, UInt8) {
        let c = corner(width: width, height: height, index: index)
        return colors[(y < c.y ? 0 : 2) + (x < c.x ? 0 : 1)]
    }

    static func frame(width: Int, height: Int, index: Int) -> RGBImage {
        RGBImage(width: width, height: height) { x, y in color(x: x, y: y, width: width, height: height, index: index) }
    }

    /// Writes a fixture and returns its path in a fresh temporary directory.
    static func make(
        _ codec: VideoWriter.Codec, extension ext: String, frames: Int = 25, width: Int = 64, height: Int = 48, fps: Int = 25
    ) throws -> String {
        let path = temporaryDirectory().appendingPathComponent("fixture-\(codec.rawValue).\(ext)").path
        let writer = try VideoWriter(
            path: path, codec: codec, width: width, height: height, framesPerSecond: fps, quality: codec == .h264 ? 12 : (codec == .ffv1 ? nil : 2))
        for i in 0..<frames { try writer.append(frame(width: width, height: height, index: i)) }
        try writer.finish()
        return path
    }

    static func temporaryDirectory() -> URL {
        ScratchDirectory.make("media")
    }
}
