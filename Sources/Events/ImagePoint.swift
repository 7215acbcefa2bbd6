import Geometry

/// A point on a picture, in continuous pixel coordinates: x to the right, y downwards, `(0, 0)` the top-left corner
/// of the top-left pixel (the convention of `Geometry.Box`).
public struct ImagePoint: Sendable, Hashable {
    /// Horizontal position.
    public var x: Double
    /// Vertical position (downwards).
    public var y: Double

    /// A point from its coordinates.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Whether both coordinates are finite numbers.
    public var isFinite: Bool { x.isFinite && y.isFinite }

    /// The point moved into a `width × height` picture, to the centre of its nearest pixel at most: a box touching
    /// the picture's edge has its anchor on the last row or column of pixels, inside a zone drawn to that edge.
    public func clamped(width: Int, height: Int) -> ImagePoint {
        guard width > 0, height > 0 else { return self }
        return ImagePoint(x: min(max(x, 0.5), Double(width) - 0.5), y: min(max(y, 0.5), Double(height) - 0.5))
    }

    /// Euclidean distance to `other`.
    public func distance(to other: ImagePoint) -> Double { ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot() }
}

/// The point of a box that stands for the object's position in zones and on lines.
public enum Anchor: String, Sendable, Hashable, CaseIterable {
    /// The middle of the box's bottom edge: where a standing person or a car touches the ground (the default).
    case bottom
    /// The box's centre.
    case center

    /// This anchor of `box`.
    public func point(of box: Box) -> ImagePoint {
        switch self {
        case .bottom: ImagePoint(x: box.centerX, y: box.y2)
        case .center: ImagePoint(x: box.centerX, y: box.centerY)
        }
    }
}
