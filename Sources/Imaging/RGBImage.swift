/// A packed 8-bit RGB image owned by Swift: rows of `width × 3` bytes, top row first, no padding.
///
/// It is a plain value (an array), so it crosses actor and thread boundaries safely.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height × width × 3` bytes, R, G, B per pixel.
    public var pixels: [UInt8]

    /// Wraps existing pixels; `pixels.count` must equal `width × height × 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3, "RGBImage: pixel count must be width×height×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled by `color(x, y)`; used by tests and synthetic inputs.
    public init(width: Int, height: Int, color: (_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8)) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = color(x, y)
                let i = (y * width + x) * 3
                pixels[i] = r
                pixels[i + 1] = g
                pixels[i + 2] = b
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The (r, g, b) value at a pixel.
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
