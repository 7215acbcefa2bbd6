/// Greedy non-maximum suppression as TensorFlow's `NonMaxSuppressionV3` and torchvision's `nms` do it.
enum NonMaximumSuppression {
    /// IoU of two corner boxes; corners are min/max-normalised and a box of zero or negative area overlaps nothing
    /// (TF's rule; for the non-degenerate boxes torchvision sees it gives the same value).
    @inline(__always)
    static func intersectionOverUnion(_ a: (Float, Float, Float, Float), _ b: (Float, Float, Float, Float)) -> Float {
        let a0 = min(a.0, a.2), a1 = min(a.1, a.3), a2 = max(a.0, a.2), a3 = max(a.1, a.3)
        let b0 = min(b.0, b.2), b1 = min(b.1, b.3), b2 = max(b.0, b.2), b3 = max(b.1, b.3)
        let areaA = (a2 - a0) * (a3 - a1)
        let areaB = (b2 - b0) * (b3 - b1)
        if areaA <= 0 || areaB <= 0 { return 0 }
        let i0 = max(a0, b0), i1 = max(a1, b1), i2 = min(a2, b2), i3 = min(a3, b3)
        let intersection = max(i2 - i0, 0) * max(i3 - i1, 0)
        return intersection / (areaA + areaB - intersection)
    }

    /// Keeps candidates in the given order (highest score first) unless one already kept overlaps them by IoU
    /// strictly above `threshold`; stops after `limit`.
    static func suppress(_ sorted: [Candidate], threshold: Float, limit: Int?) -> [Candidate] {
        var kept: [Candidate] = []
        let cap = limit ?? Int.max
        for candidate in sorted {
            if kept.count >= cap { break }
            if kept.allSatisfy({ intersectionOverUnion($0.box, candidate.box) <= threshold }) {
                kept.append(candidate)
            }
        }
        return kept
    }
}
