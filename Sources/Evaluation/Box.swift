/// An axis-aligned box in pixel corners (x1, y1, x2, y2), in Double as the reference tools compute.
public struct Box: Sendable, Equatable, Hashable, Codable {
    public var x1: Double
    public var y1: Double
    public var x2: Double
    public var y2: Double

    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// A box from COCO's `[x, y, width, height]`.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.init(x1: x, y1: y, x2: x + width, y2: y + height)
    }

    /// `x2 − x1`.
    public var width: Double { x2 - x1 }
    /// `y2 − y1`.
    public var height: Double { y2 - y1 }
    /// `width × height` (COCO's area of a result box).
    public var area: Double { width * height }
}
