/// pycocotools `COCOeval` for boxes: `evaluate()`, `accumulate()` and `summarize()` with identical semantics.
///
/// Images are visited in `groundTruth.images` order (COCO readers give ascending ids, as `sorted(getImgIds())`), and
/// per image and category the detections keep their input order before the stable sort by score, so score ties
/// resolve exactly as numpy's mergesort does. Detections of classes outside `groundTruth.labels` are ignored.
public struct COCOEvaluator: Sendable {
    public var parameters: COCOParameters

    public init(parameters: COCOParameters = COCOParameters()) {
        self.parameters = parameters
    }

    /// Evaluates `detections` and returns the 12 summary statistics and per-class AP.
    public func evaluate(_ detections: [ScoredDetection], groundTruth: GroundTruthSet) throws(EvaluationError) -> COCOResult {
        try groundTruth.validate(detections)
        let p = parameters
        var detectionsByKey: [ImageClass: [ScoredDetection]] = [:]
        for d in detections { detectionsByKey[ImageClass(image: d.imageID, label: d.label), default: []].append(d) }
        var objectsByKey: [ImageClass: [GroundTruthObject]] = [:]
        for o in groundTruth.objects { objectsByKey[ImageClass(image: o.imageID, label: o.label), default: []].append(o) }
        // precision[t][r][k][a][m] and recall[t][k][a][m], −1 where undefined.
        let t = p.iouThresholds.count, r = p.recallThresholds.count, k = groundTruth.labels.count
        let a = p.areaRanges.count, m = p.maxDetections.count
        var precision = COCOArray(shape: [t, r, k, a, m])
        var recall = COCOArray(shape: [t, k, a, m])
        let largest = p.maxDetections.max() ?? 100
        for (ki, label) in groundTruth.labels.enumerated() {
            for (ai, range) in p.areaRanges.enumerated() {
                let images = groundTruth.images.compactMap { image -> COCOImageEvaluation? in
                    let key = ImageClass(image: image, label: label)
                    return COCOImageEvaluation(
                        detections: detectionsByKey[key] ?? [], objects: objectsByKey[key] ?? [], areaRange: range,
                        maxDetections: largest, iouThresholds: p.iouThresholds)
                }
                for (mi, maxDetections) in p.maxDetections.enumerated() {
                    guard let curves = accumulate(images, maxDetections: maxDetections) else { continue }
                    for ti in 0..<t {
                        recall[[ti, ki, ai, mi]] = curves.recall[ti]
                        for ri in 0..<r { precision[[ti, ri, ki, ai, mi]] = curves.precision[ti][ri] }
                    }
                }
            }
        }
        return COCOResult(labels: groundTruth.labels, precision: precision, recall: recall, parameters: p)
    }

    /// `accumulate()` for one category, area range and maxDet: final recall and the 101-point precision per threshold.
    func accumulate(_ images: [COCOImageEvaluation], maxDetections: Int) -> (recall: [Double], precision: [[Double]])? {
        guard !images.isEmpty else { return nil }
        var scores: [Double] = []
        var matched = [[Bool]](repeating: [], count: parameters.iouThresholds.count)
        var ignored = matched
        var positives = 0
        for image in images {
            let n = min(maxDetections, image.scores.count)
            scores += image.scores[0..<n]
            for ti in matched.indices {
                matched[ti] += image.matched[ti][0..<n]
                ignored[ti] += image.ignored[ti][0..<n]
            }
            positives += image.groundTruthIgnored.filter { !$0 }.count
        }
        guard positives > 0 else { return nil }
        let order = scores.indices.sorted { a, b in scores[a] != scores[b] ? scores[a] > scores[b] : a < b }
        var recall: [Double] = []
        var precision: [[Double]] = []
        for ti in matched.indices {
            // Ignored detections stay in the curve with TP and FP unchanged, so `searchsorted` indexes the same
            // positions as numpy does.
            var (rc, pr) = Self.curveWithIgnored(order: order, ignored: ignored[ti], matched: matched[ti], positives: positives)
            recall.append(rc.last ?? 0)
            for i in stride(from: pr.count - 1, to: 0, by: -1) where pr[i] > pr[i - 1] { pr[i - 1] = pr[i] }
            precision.append(
                parameters.recallThresholds.map { threshold in
                    // np.searchsorted(rc, threshold, side='left'): first index with rc[i] >= threshold; 0 past the end.
                    let index = Self.searchSortedLeft(rc, threshold)
                    return index < pr.count ? pr[index] : 0
                })
        }
        return (recall, precision)
    }

    /// `np.searchsorted(values, x, side='left')` on non-decreasing `values`: the first index with `values[i] >= x`.
    static func searchSortedLeft(_ values: [Double], _ x: Double) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Cumulative recall and precision over every detection in score order, ignored ones included (their TP and FP
    /// are both 0, as in `np.logical_and(dtm, ~dtIg)`).
    static func curveWithIgnored(order: [Int], ignored: [Bool], matched: [Bool], positives: Int) -> ([Double], [Double]) {
        var tp = 0.0, fp = 0.0
        var rc: [Double] = [], pr: [Double] = []
        rc.reserveCapacity(order.count)
        pr.reserveCapacity(order.count)
        for d in order {
            if !ignored[d] {
                if matched[d] { tp += 1 } else { fp += 1 }
            }
            rc.append(tp / Double(positives))
            pr.append(tp / (fp + tp + Double.ulpOfOne))
        }
        return (rc, pr)
    }
}

/// A (image, class) key.
struct ImageClass: Hashable {
    var image: String
    var label: String
}
