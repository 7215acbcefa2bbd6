import Geometry

/// pycocotools `evaluateImg` for one image, one category and one area range (matching done with the largest maxDet).
struct COCOImageEvaluation {
    /// Scores of the kept detections, by descending score (stable).
    var scores: [Double]
    /// `[threshold][detection]`: whether the detection matched a ground truth.
    var matched: [[Bool]]
    /// `[threshold][detection]`: whether the detection is ignored.
    var ignored: [[Bool]]
    /// Per ground truth: ignored (crowd or outside the area range).
    var groundTruthIgnored: [Bool]

    /// Evaluates `detections` (in input order) against `objects` of one image and category, or nil when both are empty.
    init?(detections: [ScoredDetection], objects: [GroundTruthObject], areaRange: ClosedRange<Double>, maxDetections: Int, iouThresholds: [Double]) {
        if detections.isEmpty && objects.isEmpty { return nil }
        // Ground truths: non-ignored first (stable), as `np.argsort(gtIg, kind='mergesort')`.
        let gtIgnore = objects.map { $0.isCrowd || !areaRange.contains($0.evaluationArea) }
        let gtOrder = objects.indices.sorted { a, b in gtIgnore[a] != gtIgnore[b] ? !gtIgnore[a] : a < b }
        let gts = gtOrder.map { objects[$0] }
        groundTruthIgnored = gtOrder.map { gtIgnore[$0] }
        let dts = Array(COCOImageEvaluation.sortedByScore(detections).prefix(maxDetections))
        scores = dts.map(\.score)
        let ious = dts.map { d in gts.map { COCOImageEvaluation.iou(d.box, $0.box, crowd: $0.isCrowd) } }
        matched = []
        ignored = []
        for threshold in iouThresholds {
            var gtMatched = [Bool](repeating: false, count: gts.count)
            var dtMatched = [Bool](repeating: false, count: dts.count)
            var dtIgnored = [Bool](repeating: false, count: dts.count)
            for d in dts.indices {
                var best = min(threshold, 1 - 1e-10)
                var m = -1
                for g in gts.indices {
                    if gtMatched[g] && !gts[g].isCrowd { continue }
                    // Already on a regular object and reaching the ignored ones (sorted last): stop.
                    if m > -1 && !groundTruthIgnored[m] && groundTruthIgnored[g] { break }
                    if ious[d][g] < best { continue }
                    best = ious[d][g]
                    m = g
                }
                guard m >= 0 else { continue }
                dtIgnored[d] = groundTruthIgnored[m]
                dtMatched[d] = true
                gtMatched[m] = true
            }
            for d in dts.indices where !dtMatched[d] && !areaRange.contains(dts[d].box.signedArea) { dtIgnored[d] = true }
            matched.append(dtMatched)
            ignored.append(dtIgnored)
        }
    }

    /// Detections by descending score, ties in input order (`np.argsort(-scores, kind='mergesort')`).
    static func sortedByScore(_ detections: [ScoredDetection]) -> [ScoredDetection] {
        detections.indices.sorted { a, b in
            detections[a].score != detections[b].score ? detections[a].score > detections[b].score : a < b
        }.map { detections[$0] }
    }

    /// pycocotools' `bbIou` on `[x, y, w, h]`: no +1; a crowd object divides by the detection's area.
    static func iou(_ d: Box, _ g: Box, crowd: Bool) -> Double {
        let dw = d.width, dh = d.height, gw = g.width, gh = g.height
        let w = min(dw + d.x1, gw + g.x1) - max(d.x1, g.x1)
        guard w > 0 else { return 0 }
        let h = min(dh + d.y1, gh + g.y1) - max(d.y1, g.y1)
        guard h > 0 else { return 0 }
        let intersection = w * h
        let union = crowd ? dw * dh : dw * dh + gw * gh - intersection
        return intersection / union
    }
}
