import Geometry

/// A box to draw on a picture with its caption (e.g. `person 0.93 #3`), in one colour: what snapshots, `latest.jpg`
/// and `ssdd annotate` draw for each detection.
public struct BoxAnnotation: Sendable, Hashable {
    /// The box, in the pixels of the image it is drawn on.
    public var box: Box
    /// The text drawn on a filled band of `color` above the box (inside it at the image's top edge).
    public var caption: String
    /// The box's and the caption band's colour; the caption text is black.
    public var color: RGBColor

    /// Creates an annotation.
    public init(box: Box, caption: String, color: RGBColor) {
        self.box = box
        self.caption = caption
        self.color = color
    }
}

extension RGBColor {
    /// Bright colours on which black text reads well, told apart easily; ``annotationColor(for:)`` picks from them.
    public static let annotationPalette: [RGBColor] = [
        RGBColor(red: 255, green: 214, blue: 0), RGBColor(red: 0, green: 230, blue: 255), RGBColor(red: 120, green: 255, blue: 60),
        RGBColor(red: 255, green: 120, blue: 200), RGBColor(red: 255, green: 150, blue: 30), RGBColor(red: 170, green: 160, blue: 255),
        RGBColor(red: 60, green: 255, blue: 180), RGBColor(red: 255, green: 255, blue: 255),
    ]

    /// The colour of track `id` (the same track keeps its colour); nil (a tentative track) is light grey.
    public static func annotationColor(for id: Int?) -> RGBColor {
        guard let id else { return RGBColor(red: 200, green: 200, blue: 200) }
        let count = annotationPalette.count
        return annotationPalette[((id % count) + count) % count]
    }
}

extension RGBImage {
    /// The text scale annotations use on a picture of this size: 1 up to 719 pixels on the short side, then one more
    /// per 360 pixels (2 for 720p, 3 for 1080p); strokes are twice as thick.
    public var annotationScale: Int { Swift.max(1, Swift.min(Swift.min(width, height) / 360, 8)) }

    /// Draws `annotation`: the box outline (``StrokeStyle/annotation(_:thickness:)``, `2 × scale` wide with a black rim)
    /// and its caption (black text on the box colour, ``drawLabel(_:for:scale:textColor:background:)``).
    public mutating func draw(_ annotation: BoxAnnotation, scale: Int) {
        strokeRectangle(annotation.box, style: .annotation(annotation.color, thickness: 2 * scale))
        drawLabel(annotation.caption, for: annotation.box, scale: scale, textColor: .black, background: annotation.color)
    }
}
