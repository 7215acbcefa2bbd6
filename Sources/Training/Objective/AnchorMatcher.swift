import Detection

/// Assigns each default box a ground-truth object or background (ssd.md §6.1).
public struct AnchorMatcher: Sendable {
    /// The matching rule.
    public enum Strategy: Sendable, Equatable {
        /// torchvision `SSDMatcher`: each anchor takes its best object (first on ties) if IoU ≥ threshold; then every
        /// object's best anchor (first on ties) is forced to it, a later object winning an anchor two objects share.
        case torchvision
        /// Caffe `MatchBBox` (PER_PREDICTION): greedy bipartite on overlaps > 1e-6 (the globally largest pair first,
        /// so each object gets a distinct anchor), then every unmatched anchor takes its best object if IoU ≥ threshold.
        case caffeBipartite
    }

    public var strategy: Strategy
    /// Minimum IoU for a positive (inclusive).
    public var threshold: Float

    public init(strategy: Strategy = .torchvision, threshold: Float = 0.5) {
        self.strategy = strategy
        self.threshold = threshold
    }

    /// The matched object index per anchor (−1 for background). An image without objects is all background.
    public func match(_ groundTruth: ImageGroundTruth, anchors: AnchorSet) -> [Int] {
        let n = anchors.count
        var matches = [Int](repeating: -1, count: n)
        guard groundTruth.count > 0 else { return matches }
        let iou = Self.iouMatrix(groundTruth, anchors: anchors)  // [object][anchor]
        // Best object per anchor (first on ties).
        var best = [Float](repeating: -1, count: n)
        var bestObject = [Int](repeating: -1, count: n)
        for g in 0..<groundTruth.count {
            for a in 0..<n where iou[g][a] > best[a] {
                best[a] = iou[g][a]
                bestObject[a] = g
            }
        }
        switch strategy {
        case .torchvision:
            for a in 0..<n where best[a] >= threshold { matches[a] = bestObject[a] }
            for g in 0..<groundTruth.count {
                var top = 0
                for a in 1..<n where iou[g][a] > iou[g][top] { top = a }
                matches[top] = g
            }
        case .caffeBipartite:
            var remaining = Set(0..<groundTruth.count)
            while !remaining.isEmpty {
                var pair: (anchor: Int, object: Int)? = nil
                var largest: Float = 1e-6
                let pool = remaining.sorted()
                for a in 0..<n where matches[a] == -1 {
                    for g in pool where iou[g][a] > largest {
                        largest = iou[g][a]
                        pair = (a, g)
                    }
                }
                guard let pair else { break }
                matches[pair.anchor] = pair.object
                remaining.remove(pair.object)
            }
            for a in 0..<n where matches[a] == -1 && best[a] >= threshold { matches[a] = bestObject[a] }
        }
        return matches
    }

    /// IoU of every object with every anchor (torchvision `box_iou`: no +1, intersections clamped at 0).
    public static func iouMatrix(_ groundTruth: ImageGroundTruth, anchors: AnchorSet) -> [[Float]] {
        let a = anchors.values
        return (0..<groundTruth.count).map { g in
            let (b0, b1, b2, b3) = groundTruth.box(g)
            let area = (b2 - b0) * (b3 - b1)
            return (0..<anchors.count).map { i in
                let w = max(min(b2, a[4 * i + 2]) - max(b0, a[4 * i]), 0)
                let h = max(min(b3, a[4 * i + 3]) - max(b1, a[4 * i + 1]), 0)
                let intersection = w * h
                let anchorArea = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1])
                return intersection / (area + anchorArea - intersection)
            }
        }
    }
}
