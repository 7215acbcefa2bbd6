/// An axis-aligned box in source-image pixels, given by its top-left (`x1`, `y1`) and bottom-right
/// (`x2`, `y2`) corners.
public struct BoundingBox: Sendable, Hashable, Codable {
    /// Left edge in pixels.
    public var x1: Double
    /// Top edge in pixels.
    public var y1: Double
    /// Right edge in pixels.
    public var x2: Double
    /// Bottom edge in pixels.
    public var y2: Double

    /// Creates a box from its corners.
    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// Creates a box from its centre and size.
    public init(centerX: Double, centerY: Double, width: Double, height: Double) {
        self.init(x1: centerX - width / 2, y1: centerY - height / 2, x2: centerX + width / 2, y2: centerY + height / 2)
    }

    /// Width in pixels (negative for an inverted box).
    public var width: Double { x2 - x1 }
    /// Height in pixels (negative for an inverted box).
    public var height: Double { y2 - y1 }
    /// Horizontal centre in pixels.
    public var centerX: Double { (x1 + x2) / 2 }
    /// Vertical centre in pixels.
    public var centerY: Double { (y1 + y2) / 2 }
    /// Area in square pixels; 0 for empty or inverted boxes.
    public var area: Double { max(0, width) * max(0, height) }

    /// Whether all corners are finite and the box has a positive width and height; only such boxes are tracked.
    public var isTrackable: Bool {
        x1.isFinite && y1.isFinite && x2.isFinite && y2.isFinite && width > 0 && height > 0
    }

    /// Intersection over union with `other`, in [0, 1]; 0 when either box is empty.
    public func intersectionOverUnion(with other: BoundingBox) -> Double {
        let iw = min(x2, other.x2) - max(x1, other.x1)
        let ih = min(y2, other.y2) - max(y1, other.y1)
        guard iw > 0, ih > 0 else { return 0 }
        let intersection = iw * ih
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }
}
