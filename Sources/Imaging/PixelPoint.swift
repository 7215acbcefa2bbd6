/// A point on an image in whole pixels: column `x`, row `y` (y grows downwards), the pixel's top-left corner.
public struct PixelPoint: Sendable, Hashable {
    public var x: Int
    public var y: Int

    /// Creates a point.
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    /// The pixel containing (`x`, `y`) in continuous image coordinates: each coordinate rounded down. Nil when a
    /// coordinate is not finite; coordinates are limited to ±2⁴⁰ (far outside any image), so drawing arithmetic
    /// cannot overflow.
    public init?(x: Double, y: Double) {
        guard x.isFinite, y.isFinite else { return nil }
        let limit = Double(PixelRect.limit)
        self.init(x: Int(Swift.min(Swift.max(x.rounded(.down), -limit), limit)), y: Int(Swift.min(Swift.max(y.rounded(.down), -limit), limit)))
    }
}
