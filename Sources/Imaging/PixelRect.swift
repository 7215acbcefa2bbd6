import Geometry

/// A rectangle of whole pixels, half-open: columns `left ..< right`, rows `top ..< bottom`.
struct PixelRect: Equatable {
    var left: Int
    var top: Int
    var right: Int
    var bottom: Int

    /// Farthest a corner may lie outside an image and still be represented: far beyond any image, far inside `Int`,
    /// so that the arithmetic of drawing cannot overflow.
    static let limit = 1 << 40

    var isEmpty: Bool { right <= left || bottom <= top }
    var width: Int { right - left }
    var height: Int { bottom - top }

    init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// The pixels `box` covers: each edge rounded to the nearest pixel boundary (halves away from zero), so
    /// `Box(x1: 1, y1: 1, x2: 4, y2: 3)` covers columns 1 ..< 4 and rows 1 ..< 3. Corners are limited to
    /// ±``limit``. Nil for a box with a non-finite corner, or that is inverted or covers no whole pixel.
    init?(covering box: Box) {
        guard box.isFinite else { return nil }
        func edge(_ value: Double) -> Int { Int(Swift.min(Swift.max(value.rounded(), -Double(Self.limit)), Double(Self.limit))) }
        self.init(left: edge(box.x1), top: edge(box.y1), right: edge(box.x2), bottom: edge(box.y2))
        if isEmpty { return nil }
    }

    /// The part inside an image of `width × height` pixels; empty when they do not overlap.
    func clipped(width: Int, height: Int) -> PixelRect {
        PixelRect(left: Swift.max(left, 0), top: Swift.max(top, 0), right: Swift.min(right, width), bottom: Swift.min(bottom, height))
    }
}
