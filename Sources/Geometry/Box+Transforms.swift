extension Box {
    /// The box with every corner multiplied by the scale of its axis (e.g. from a network's input frame to the source
    /// frame). NaN and infinite corners stay non-finite.
    public func scaled(x sx: Double, y sy: Double) -> Box {
        Box(x1: x1 * sx, y1: y1 * sy, x2: x2 * sx, y2: y2 * sy)
    }

    /// The box with each corner clamped to `0 … width` horizontally and `0 … height` vertically (an image of that
    /// size). An inverted box stays inverted (and may collapse to zero size); a NaN corner stays NaN so that callers
    /// can still tell it was invalid; infinite corners become the image's edges.
    public func clipped(toWidth width: Double, height: Double) -> Box {
        Box(x1: Self.clamp(x1, width), y1: Self.clamp(y1, height), x2: Self.clamp(x2, width), y2: Self.clamp(y2, height))
    }

    /// The overlap of two boxes, or nil when they do not overlap with a positive area (or either is empty or NaN).
    public func intersection(_ other: Box) -> Box? {
        let overlap = Box(x1: max(x1, other.x1), y1: max(y1, other.y1), x2: min(x2, other.x2), y2: min(y2, other.y2))
        guard !isEmpty, !other.isEmpty, !overlap.isEmpty else { return nil }
        return overlap
    }

    /// `value` limited to `0 … limit`; NaN is kept.
    private static func clamp(_ value: Double, _ limit: Double) -> Double {
        value.isNaN ? value : Swift.min(Swift.max(value, 0), limit)
    }
}
