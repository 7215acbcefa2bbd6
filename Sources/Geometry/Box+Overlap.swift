extension Box {
    /// Intersection over union with `other` in continuous pixels, in [0, 1]; 0 when the boxes do not overlap or
    /// either is empty, inverted or not finite. The tracker associates detections with this.
    public func intersectionOverUnion(with other: Box) -> Double {
        guard isFinite, other.isFinite else { return 0 }
        let iw = min(x2, other.x2) - max(x1, other.x1)
        let ih = min(y2, other.y2) - max(y1, other.y1)
        guard iw > 0, ih > 0 else { return 0 }
        let intersection = iw * ih
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    /// Intersection over union in the PASCAL VOC devkit's integer-pixel convention, for corners that name the first
    /// and last pixel *inclusively* (VOC annotations): widths are `x2 − x1 + 1`, the overlap's width
    /// `min(x2) − max(x1) + 1` clamped at 0. Exactly the devkit's (and the `voc_eval` script's) arithmetic, with no
    /// guard: boxes of non-positive inclusive size give what the reference gives.
    public func inclusiveIntersectionOverUnion(with other: Box) -> Double {
        let iw = max(min(x2, other.x2) - max(x1, other.x1) + 1, 0)
        let ih = max(min(y2, other.y2) - max(y1, other.y1) + 1, 0)
        let intersection = iw * ih
        let union = (x2 - x1 + 1) * (y2 - y1 + 1) + (other.x2 - other.x1 + 1) * (other.y2 - other.y1 + 1) - intersection
        return intersection / union
    }
}
