import Foundation
import Imaging
import MediaIO
import Testing

/// Clips made from a real photo: the woman of darknet's person.jpg, cut out and pasted walking across a plain
/// ground-coloured background (320 × 240, 10 frames per second, H.264).
enum WalkingPersonClip {
    static let width = 320
    static let height = 240
    /// Rows above the cut-out's top edge (its feet are at about y = 70 + 144).
    static let top = 70
    static let background: (UInt8, UInt8, UInt8) = (196, 178, 140)

    /// The woman (photo x 190..<280, y 92..<380), halved by averaging 2 × 2 pixels: 45 × 144.
    static func cutout() throws -> RGBImage {
        let reader = try VideoReader(input: "/usr/share/darknet/data/person.jpg")
        let photo = try #require(try reader.nextFrame()).image
        return RGBImage(width: 45, height: 144) { x, y in
            let a = photo[190 + 2 * x, 92 + 2 * y]
            let b = photo[191 + 2 * x, 92 + 2 * y]
            let c = photo[190 + 2 * x, 93 + 2 * y]
            let d = photo[191 + 2 * x, 93 + 2 * y]
            let r = (Int(a.0) + Int(b.0) + Int(c.0) + Int(d.0)) / 4
            let g = (Int(a.1) + Int(b.1) + Int(c.1) + Int(d.1)) / 4
            let bl = (Int(a.2) + Int(b.2) + Int(c.2) + Int(d.2)) / 4
            return (UInt8(r), UInt8(g), UInt8(bl))
        }
    }

    /// The cut-out's left edge per frame for a walk from the left to the right: 3 frames standing at 10, steps of
    /// 10 px to 260, 3 frames standing there (31 frames). The box's bottom-centre goes from x ≈ 32 to x ≈ 282.
    static var leftToRight: [Int] { [10, 10] + Array(stride(from: 10, through: 260, by: 10)) + [260, 260, 260] }

    /// Walks to x = 130 (the centre at ≈ 152), stands there for `seconds`, walks on to the right.
    static func stopping(seconds: Double) -> [Int] {
        let stay = Array(repeating: 130, count: Int(seconds * 10))
        return [10, 10] + Array(stride(from: 10, through: 130, by: 10)) + stay + Array(stride(from: 140, through: 260, by: 10)) + [260, 260, 260]
    }

    /// Writes a clip with the cut-out's left edge at `positions`, one frame each.
    static func write(_ path: String, positions: [Int]) throws {
        let person = try cutout()
        let writer = try VideoWriter(path: path, codec: .h264, width: width, height: height, framesPerSecond: 10, quality: 18)
        for left in positions {
            let frame = RGBImage(width: width, height: height) { x, y in
                let px = x - left
                let py = y - top
                guard px >= 0, px < person.width, py >= 0, py < person.height else { return background }
                return person[px, py]
            }
            try writer.append(frame)
        }
        try writer.finish()
    }
}
