/// A directed segment `start → end` on a picture: a crossing line, or a polygon's edge.
public struct Segment: Sendable, Hashable {
    /// The first point (p1).
    public var start: ImagePoint
    /// The second point (p2).
    public var end: ImagePoint

    /// The segment `start → end`.
    public init(from start: ImagePoint, to end: ImagePoint) {
        self.start = start
        self.end = end
    }

    /// Its length in pixels.
    public var length: Double { start.distance(to: end) }

    /// The cross product (p2 − p1) × (c − p1) in picture coordinates (y down): positive when `point` lies to the
    /// right of the arrow as seen on the picture, negative to its left, 0 on the line through the segment.
    public func cross(_ point: ImagePoint) -> Double {
        (end.x - start.x) * (point.y - start.y) - (end.y - start.y) * (point.x - start.x)
    }

    /// Signed distance of `point` from the line through the segment: positive to the right of the arrow (as seen on
    /// the picture), negative to its left. 0 for a segment of length 0.
    public func signedDistance(_ point: ImagePoint) -> Double {
        let length = self.length
        return length > 0 ? cross(point) / length : 0
    }

    /// The shortest distance from `point` to the segment (not to the line through it).
    public func distance(to point: ImagePoint) -> Double {
        let dx = end.x - start.x
        let dy = end.y - start.y
        let squared = dx * dx + dy * dy
        guard squared > 0 else { return point.distance(to: start) }
        let t = min(1, max(0, ((point.x - start.x) * dx + (point.y - start.y) * dy) / squared))
        return point.distance(to: ImagePoint(x: start.x + t * dx, y: start.y + t * dy))
    }

    /// Whether the path `from → to` meets this segment within its extent (its ends included). A path that passes
    /// the line through the segment beyond either end does not meet it.
    public func isMet(byPathFrom from: ImagePoint, to: ImagePoint) -> Bool {
        let path = Segment(from: from, to: to)
        let d1 = cross(from)
        let d2 = cross(to)
        let d3 = path.cross(start)
        let d4 = path.cross(end)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
        // Touching cases: an end of one lies on the other.
        if d1 == 0 && Self.within(start, end, from) { return true }
        if d2 == 0 && Self.within(start, end, to) { return true }
        if d3 == 0 && Self.within(from, to, start) { return true }
        if d4 == 0 && Self.within(from, to, end) { return true }
        return false
    }

    /// Whether `point` (collinear with `a → b`) lies within their bounding box.
    private static func within(_ a: ImagePoint, _ b: ImagePoint, _ point: ImagePoint) -> Bool {
        min(a.x, b.x) <= point.x && point.x <= max(a.x, b.x) && min(a.y, b.y) <= point.y && point.y <= max(a.y, b.y)
    }
}
