import Geometry

/// PASCAL VOC detection AP, exactly as py-faster-rcnn's `voc_eval.py` computes it.
///
/// Per class: `npos` counts non-difficult objects; detections are visited by descending score (stable, so ties keep
/// input order — numpy's default quicksort leaves tie order unspecified); each takes the object of its image with the
/// largest +1-pixel IoU (first on ties); if that IoU is `> 0.5` a difficult object makes the detection ignored, an
/// unmatched object makes it a true positive (and marks the object), a matched one a false positive (duplicate);
/// otherwise it is a false positive.
public struct VOCEvaluator: Sendable {
    /// How precision/recall becomes AP.
    public enum Metric: String, Sendable, CaseIterable, Codable {
        /// VOC2007: mean of the best precision at recall ≥ t for t in `np.arange(0, 1.1, 0.1)`.
        case elevenPoint
        /// VOC2010+: area under the monotone precision envelope.
        case area
    }

    public var metric: Metric
    /// Minimum IoU, exclusive.
    public var iouThreshold: Double

    public init(metric: Metric = .elevenPoint, iouThreshold: Double = EvaluationDefaults.vocIoUThreshold) {
        self.metric = metric
        self.iouThreshold = iouThreshold
    }

    /// AP per class of `groundTruth.labels` (nil for a class without non-difficult objects) and their mean.
    public func evaluate(_ detections: [ScoredDetection], groundTruth: GroundTruthSet) throws(EvaluationError) -> VOCResult {
        try groundTruth.validate(detections)
        var perClass: [String: Double?] = [:]
        for label in groundTruth.labels {
            perClass[label] = averagePrecision(
                detections.filter { $0.label == label }, objects: groundTruth.objects.filter { $0.label == label })
        }
        return VOCResult(labels: groundTruth.labels, averagePrecision: perClass)
    }

    /// AP of one class's detections against its objects; nil when no object is non-difficult (`voc_eval` divides by 0).
    public func averagePrecision(_ detections: [ScoredDetection], objects: [GroundTruthObject]) -> Double? {
        let curve = precisionRecall(detections, objects: objects)
        guard curve.positives > 0 else { return nil }
        switch metric {
        case .elevenPoint: return Self.elevenPointAP(recall: curve.recall, precision: curve.precision)
        case .area: return Self.areaAP(recall: curve.recall, precision: curve.precision)
        }
    }

    /// Cumulative recall and precision over detections by descending score, and the number of non-difficult objects.
    public func precisionRecall(
        _ detections: [ScoredDetection], objects: [GroundTruthObject]
    ) -> (recall: [Double], precision: [Double], positives: Int) {
        var byImage: [String: [Int]] = [:]
        for (i, object) in objects.enumerated() { byImage[object.imageID, default: []].append(i) }
        let positives = objects.filter { !$0.difficult }.count
        var matched = [Bool](repeating: false, count: objects.count)
        let order = detections.indices.sorted { a, b in
            detections[a].score != detections[b].score ? detections[a].score > detections[b].score : a < b
        }
        var tp = 0.0, fp = 0.0
        var recall: [Double] = [], precision: [Double] = []
        recall.reserveCapacity(order.count)
        precision.reserveCapacity(order.count)
        for d in order {
            let box = detections[d].box
            var best = -Double.infinity
            var bestIndex = -1
            for g in byImage[detections[d].imageID] ?? [] {
                let overlap = box.inclusiveIntersectionOverUnion(with: objects[g].box)
                if overlap > best {
                    best = overlap
                    bestIndex = g
                }
            }
            if best > iouThreshold {
                if !objects[bestIndex].difficult {
                    if !matched[bestIndex] {
                        tp += 1
                        matched[bestIndex] = true
                    } else {
                        fp += 1
                    }
                }
            } else {
                fp += 1
            }
            recall.append(tp / Double(positives))
            precision.append(tp / max(tp + fp, Double.ulpOfOne))
        }
        return (recall, precision, positives)
    }

    /// The thresholds of `np.arange(0., 1.1, 0.1)`: `i · 0.1`, so 0.30000000000000004, 0.6000000000000001 and
    /// 0.7000000000000001 are not the decimal values.
    public static let elevenPointThresholds: [Double] = (0...10).map { Double($0) * 0.1 }

    /// VOC2007 11-point AP: Σ_t max{precision : recall ≥ t} / 11 (0 when no recall reaches t), summed in order.
    public static func elevenPointAP(recall: [Double], precision: [Double]) -> Double {
        var ap = 0.0
        for t in elevenPointThresholds {
            var best: Double? = nil
            for (r, p) in zip(recall, precision) where r >= t { best = max(best ?? p, p) }
            ap += (best ?? 0) / 11
        }
        return ap
    }

    /// VOC2010+ AP: the area under the precision envelope, summed where recall changes.
    public static func areaAP(recall: [Double], precision: [Double]) -> Double {
        let mrec = [0] + recall + [1]
        var mpre = [0] + precision + [0]
        for i in stride(from: mpre.count - 1, to: 0, by: -1) { mpre[i - 1] = max(mpre[i - 1], mpre[i]) }
        var ap = 0.0
        for i in 0..<(mrec.count - 1) where mrec[i + 1] != mrec[i] { ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1] }
        return ap
    }
}

/// Per-class VOC AP and the mean over classes that have objects.
public struct VOCResult: Sendable, Equatable {
    /// Classes in report order.
    public var labels: [String]
    /// AP per class; nil for a class without non-difficult objects (excluded from the mean).
    public var averagePrecision: [String: Double?]

    /// Mean AP over the classes whose AP is defined (0 when none is).
    public var meanAveragePrecision: Double {
        let values = labels.compactMap { averagePrecision[$0] ?? nil }
        return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}
