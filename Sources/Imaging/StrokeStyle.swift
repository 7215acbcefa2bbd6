/// How lines, polygons, arrows and outlined rectangles are drawn: a colour, a width in pixels and an optional outline.
///
/// With an `outline`, every shape is first drawn 2 pixels wider in the outline colour and then in `color` on top, so
/// a 1-pixel rim of the outline colour surrounds the stroke on both sides: a bright stroke with a dark outline (the
/// default ``annotation(_:thickness:)``) stays readable on any background, light or dark.
public struct StrokeStyle: Sendable, Hashable {
    /// The stroke's colour.
    public var color: RGBColor
    /// Width of the stroke in pixels (below 1 draws nothing).
    public var thickness: Int
    /// Colour of the 1-pixel rim on both sides of the stroke, or nil for none.
    public var outline: RGBColor?

    /// Creates a style.
    public init(color: RGBColor, thickness: Int = 1, outline: RGBColor? = nil) {
        self.color = color
        self.thickness = thickness
        self.outline = outline
    }

    /// A stroke of `color` with a black outline: what boxes, zones and lines on annotated pictures use.
    public static func annotation(_ color: RGBColor, thickness: Int = 2) -> StrokeStyle {
        StrokeStyle(color: color, thickness: thickness, outline: .black)
    }

    /// The passes to draw, in order: the widened outline pass (when there is an outline), then the stroke.
    var passes: [(color: RGBColor, thickness: Int)] {
        guard thickness >= 1 else { return [] }
        let width = Swift.min(thickness, RGBImage.maximumStrokeThickness)
        guard let outline else { return [(color, width)] }
        return [(outline, width + 2), (color, width)]
    }
}
