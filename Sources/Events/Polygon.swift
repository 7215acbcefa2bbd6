/// A closed polygon on a picture (the last vertex joins the first), e.g. a zone resolved to source pixels.
///
/// Containment uses the even-odd rule, so a self-intersecting outline still divides the picture into inside and
/// outside deterministically. A point exactly on an edge may count as either; zones add a hysteresis margin around
/// the border (``distanceToBoundary(_:)``) so that such points never decide a change.
public struct Polygon: Sendable, Hashable {
    /// The corners, in order (clockwise or counter-clockwise).
    public let vertices: [ImagePoint]

    /// A polygon through `vertices`.
    public init(_ vertices: [ImagePoint]) { self.vertices = vertices }

    /// Twice the signed area (shoelace formula); positive when the vertices run clockwise on the picture (y down).
    public var doubledSignedArea: Double {
        guard vertices.count >= 3 else { return 0 }
        var sum = 0.0
        for i in vertices.indices {
            let a = vertices[i]
            let b = vertices[(i + 1) % vertices.count]
            sum += a.x * b.y - b.x * a.y
        }
        return sum
    }

    /// The enclosed area in square pixels (0 for fewer than three vertices or a degenerate outline).
    public var area: Double { abs(doubledSignedArea) / 2 }

    /// Whether `point` is inside (even-odd rule: a ray to the right crosses the outline an odd number of times).
    public func contains(_ point: ImagePoint) -> Bool {
        guard vertices.count >= 3 else { return false }
        var inside = false
        var j = vertices.count - 1
        for i in vertices.indices {
            let a = vertices[i]
            let b = vertices[j]
            if (a.y > point.y) != (b.y > point.y) {
                let crossingX = a.x + (point.y - a.y) / (b.y - a.y) * (b.x - a.x)
                if point.x < crossingX { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// The shortest distance from `point` to the outline. With a picture size, edges that lie on or beyond one of
    /// the picture's borders are left out: nothing in the picture can pass them, so a zone drawn to the edge of the
    /// picture has no margin along it.
    public func distanceToBoundary(_ point: ImagePoint, pictureWidth width: Double? = nil, height: Double? = nil) -> Double {
        var best = Double.infinity
        for i in vertices.indices {
            let a = vertices[i]
            let b = vertices[(i + 1) % vertices.count]
            if let width, let height, Self.isOutside(a, b, width: width, height: height) { continue }
            best = min(best, Segment(from: a, to: b).distance(to: point))
        }
        return best
    }

    /// Whether the edge `a → b` lies on or beyond one border of a `width × height` picture.
    private static func isOutside(_ a: ImagePoint, _ b: ImagePoint, width: Double, height: Double) -> Bool {
        (a.x <= 0 && b.x <= 0) || (a.y <= 0 && b.y <= 0) || (a.x >= width && b.x >= width) || (a.y >= height && b.y >= height)
    }
}
