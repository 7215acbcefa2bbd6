import Geometry

extension RGBImage {
    /// Widest stroke drawn; thicker styles are drawn this wide (limits the work per drawn pixel).
    public static let maximumStrokeThickness = 64

    /// Draws the segment from `start` to `end`, both ends included, in `style`.
    ///
    /// The pixels are those Bresenham's algorithm visits from `start` to `end`; each is painted as a square of
    /// `thickness × thickness` pixels covering columns `x − thickness/2 ..< x − thickness/2 + thickness` (and the same
    /// rows), so a 1-pixel line paints exactly the visited pixels and a 3-pixel line one pixel more on every side.
    /// Everything is clipped to the image; a segment reaching far outside it is first cut to the image (its visible
    /// part may then differ from the uncut line's by a pixel where it leaves the image).
    public mutating func drawLine(from start: PixelPoint, to end: PixelPoint, style: StrokeStyle) {
        for pass in style.passes { stamp(from: start, to: end, color: pass.color, thickness: pass.thickness) }
    }

    /// Draws the segments joining consecutive `points` (and the last back to the first when `closed`) in `style`:
    /// a polyline, or the outline of a polygon. The outline pass of every segment is drawn before any stroke, so
    /// joints stay clean. One point draws a dot; none draws nothing.
    public mutating func drawPolyline(_ points: [PixelPoint], closed: Bool = false, style: StrokeStyle) {
        guard let first = points.first else { return }
        var segments = zip(points, points.dropFirst()).map { ($0, $1) }
        if points.count == 1 {
            segments = [(first, first)]
        } else if closed, points.count > 2, let last = points.last {
            segments.append((last, first))
        }
        for pass in style.passes {
            for (a, b) in segments { stamp(from: a, to: b, color: pass.color, thickness: pass.thickness) }
        }
    }

    /// Draws an arrow from `start` to `end` in `style`: the shaft, and a head of two strokes `headLength` pixels long
    /// from `end` back at 30° either side of the shaft (their far ends rounded to the nearest pixel). Nothing is drawn
    /// for the head when `start == end`.
    public mutating func drawArrow(from start: PixelPoint, to end: PixelPoint, headLength: Int? = nil, style: StrokeStyle) {
        let length = Double(headLength ?? (3 + 3 * Swift.max(style.thickness, 1)))
        var segments = [(start, end)]
        let dx = Double(start.x) - Double(end.x), dy = Double(start.y) - Double(end.y)
        let norm = (dx * dx + dy * dy).squareRoot()
        if norm > 0 {
            let ux = dx / norm, uy = dy / norm
            let cosine = 3.0.squareRoot() / 2, sine = 0.5
            for side in [-1.0, 1.0] {
                let hx = (ux * cosine - side * uy * sine) * length, hy = (side * ux * sine + uy * cosine) * length
                if let tip = PixelPoint(x: (Double(end.x) + hx).rounded(), y: (Double(end.y) + hy).rounded()) { segments.append((end, tip)) }
            }
        }
        for pass in style.passes {
            for (a, b) in segments { stamp(from: a, to: b, color: pass.color, thickness: pass.thickness) }
        }
    }

    /// Draws the outline of `box` (the pixels it covers, see ``fill(_:color:)``) as bands `thickness` wide along its
    /// inside, like ``strokeRectangle(_:thickness:color:)``; with an outline colour, a 1-pixel rim of it runs along both
    /// sides of the bands (outside the box and inside the bands).
    public mutating func strokeRectangle(_ box: Box, style: StrokeStyle) {
        guard let rect = PixelRect(covering: box), style.thickness >= 1 else { return }
        let thickness = Swift.min(style.thickness, Self.maximumStrokeThickness)
        if let outline = style.outline {
            let outer = Box(x1: Double(rect.left - 1), y1: Double(rect.top - 1), x2: Double(rect.right + 1), y2: Double(rect.bottom + 1))
            strokeRectangle(outer, thickness: thickness + 2, color: outline)
        }
        strokeRectangle(box, thickness: thickness, color: style.color)
    }

    /// Paints the squares of one pass of a segment (see ``drawLine(from:to:style:)``).
    private mutating func stamp(from start: PixelPoint, to end: PixelPoint, color: RGBColor, thickness: Int) {
        guard let (a, b) = clippedSegment(start, end, margin: thickness) else { return }
        let before = thickness / 2
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let stepX = a.x < b.x ? 1 : -1, stepY = a.y < b.y ? 1 : -1
        var error = dx + dy
        while true {
            fill(PixelRect(left: x - before, top: y - before, right: x - before + thickness, bottom: y - before + thickness), color: color)
            if x == b.x && y == b.y { break }
            let twice = 2 * error
            if twice >= dy {
                error += dy
                x += stepX
            }
            if twice <= dx {
                error += dx
                y += stepY
            }
        }
    }

    /// The part of the segment inside the image grown by `margin` pixels on every side (Liang–Barsky), its ends rounded
    /// to pixels; the segment itself when it lies inside; nil when no part is inside.
    private func clippedSegment(_ start: PixelPoint, _ end: PixelPoint, margin: Int) -> (PixelPoint, PixelPoint)? {
        let low = (x: -margin, y: -margin), high = (x: width - 1 + margin, y: height - 1 + margin)
        let inside = { (p: PixelPoint) in p.x >= low.x && p.x <= high.x && p.y >= low.y && p.y <= high.y }
        if inside(start) && inside(end) { return (start, end) }
        let x0 = Double(start.x), y0 = Double(start.y)
        let dx = Double(end.x) - x0, dy = Double(end.y) - y0
        var t0 = 0.0, t1 = 1.0
        let edges = [(-dx, x0 - Double(low.x)), (dx, Double(high.x) - x0), (-dy, y0 - Double(low.y)), (dy, Double(high.y) - y0)]
        for (p, q) in edges {
            if p == 0 {
                if q < 0 { return nil }
                continue
            }
            let r = q / p
            if p < 0 {
                if r > t1 { return nil }
                t0 = Swift.max(t0, r)
            } else {
                if r < t0 { return nil }
                t1 = Swift.min(t1, r)
            }
        }
        guard let a = PixelPoint(x: (x0 + t0 * dx).rounded(), y: (y0 + t0 * dy).rounded()),
            let b = PixelPoint(x: (x0 + t1 * dx).rounded(), y: (y0 + t1 * dy).rounded())
        else { return nil }
        return (a, b)
    }
}
