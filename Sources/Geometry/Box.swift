/// An axis-aligned box given by two corners, in continuous pixel coordinates of an image.
///
/// Convention (the same everywhere a box is used: detector output, tracker, evaluation, records, drawing):
/// - `(0, 0)` is the top-left corner of the top-left pixel; x grows to the right, y downwards. A box covering the
///   pixel columns `0 ..< w` and rows `0 ..< h` is `Box(x1: 0, y1: 0, x2: w, y2: h)`.
/// - `(x1, y1)` is the top-left corner and `(x2, y2)` the bottom-right one. The order is *not* enforced: a detector
///   fed a hostile model may report an inverted or non-finite box, and every consumer must cope. Such a box has a
///   negative ``width`` or ``height``, is ``isEmpty``, has ``area`` 0 and overlaps nothing.
/// - Coordinates are `Double`. Values computed in `Float` (the detector) convert exactly.
///
/// Evaluation's reference tools use two other area conventions on the same corners; they are functions here rather
/// than other types: ``signedArea`` (pycocotools) and ``inclusiveIntersectionOverUnion(with:)`` (the VOC devkit's
/// integer-pixel "+1").
public struct Box: Sendable, Hashable, Codable {
    /// Left edge.
    public var x1: Double
    /// Top edge.
    public var y1: Double
    /// Right edge.
    public var x2: Double
    /// Bottom edge.
    public var y2: Double

    /// A box from its corners.
    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// A box from its top-left corner and size (COCO's `[x, y, width, height]`).
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.init(x1: x, y1: y, x2: x + width, y2: y + height)
    }

    /// A box from its centre and size.
    public init(centerX: Double, centerY: Double, width: Double, height: Double) {
        self.init(x1: centerX - width / 2, y1: centerY - height / 2, x2: centerX + width / 2, y2: centerY + height / 2)
    }

    /// `x2 − x1`; negative for a box inverted horizontally.
    public var width: Double { x2 - x1 }
    /// `y2 − y1`; negative for a box inverted vertically.
    public var height: Double { y2 - y1 }
    /// Horizontal centre.
    public var centerX: Double { (x1 + x2) / 2 }
    /// Vertical centre.
    public var centerY: Double { (y1 + y2) / 2 }

    /// Area in square pixels; 0 for an empty or inverted box.
    public var area: Double { max(0, width) * max(0, height) }

    /// `width × height` without clamping, as pycocotools computes the area of a result box: negative for a box
    /// inverted along one axis, positive again when inverted along both.
    public var signedArea: Double { width * height }

    /// Whether all four corners are finite numbers.
    public var isFinite: Bool { x1.isFinite && y1.isFinite && x2.isFinite && y2.isFinite }

    /// Whether the box covers no area: its width or height is not positive, or is NaN.
    public var isEmpty: Bool { !(width > 0 && height > 0) }
}
