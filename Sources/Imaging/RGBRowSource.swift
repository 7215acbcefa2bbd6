/// Pixels that can be read one packed RGB row at a time, without the whole picture existing at once.
///
/// A decoded video frame (`MediaIO.FramePixels`) converts only the rows a resize reads: the exact bilinear resizes
/// read two source rows per output row, so a 1080-row frame resized to 300 rows needs about 600 of them. An
/// ``RGBImage`` is the trivial source, its rows already there.
public protocol RGBRowSource: Sendable {
    /// Width in pixels; every row holds `width × 3` bytes (R, G, B per pixel).
    var width: Int { get }
    /// Height in pixels.
    var height: Int { get }
    /// The whole picture (converted at most once by a source that converts).
    var image: RGBImage { get }

    /// Calls `body` with a function that gives row `y` (`0 ..< height`) of the picture; the bytes a call returns are
    /// the same as that row of ``image`` and stay valid until the next call or the end of `body`, whichever comes
    /// first. Rows may be asked for in any order; ascending order is the fastest.
    func withRows<Result>(_ body: (_ row: (Int) -> UnsafePointer<UInt8>) throws -> Result) rethrows -> Result
}

extension RGBImage: RGBRowSource {
    public var image: RGBImage { self }

    public func withRows<Result>(_ body: (_ row: (Int) -> UnsafePointer<UInt8>) throws -> Result) rethrows -> Result {
        try pixels.withUnsafeBufferPointer { pixels in
            let stride = width * 3
            return try body { y in
                precondition(y >= 0 && y < height, "RGBImage: row \(y) outside 0..<\(height)")
                return pixels.baseAddress! + y * stride
            }
        }
    }
}
