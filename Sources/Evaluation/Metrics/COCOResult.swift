/// The accumulated COCO evaluation: pycocotools' `eval['precision']` / `eval['recall']` and the summary statistics.
public struct COCOResult: Sendable, Equatable {
    /// Classes in report order (the `k` axis).
    public var labels: [String]
    /// `[iou threshold, recall threshold, class, area range, maxDet]`, −1 where a class has no counted object.
    public var precision: COCOArray
    /// `[iou threshold, class, area range, maxDet]`.
    public var recall: COCOArray
    public var parameters: COCOParameters

    /// The 12 numbers `summarize()` prints: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl.
    public var stats: [Double] {
        let last = parameters.maxDetections.count - 1
        return [
            mean(precision: true, iou: nil, area: 0, maxDet: last), mean(precision: true, iou: 0, area: 0, maxDet: last),
            mean(precision: true, iou: 5, area: 0, maxDet: last), mean(precision: true, iou: nil, area: 1, maxDet: last),
            mean(precision: true, iou: nil, area: 2, maxDet: last), mean(precision: true, iou: nil, area: 3, maxDet: last),
            mean(precision: false, iou: nil, area: 0, maxDet: 0), mean(precision: false, iou: nil, area: 0, maxDet: 1),
            mean(precision: false, iou: nil, area: 0, maxDet: last), mean(precision: false, iou: nil, area: 1, maxDet: last),
            mean(precision: false, iou: nil, area: 2, maxDet: last), mean(precision: false, iou: nil, area: 3, maxDet: last),
        ]
    }

    /// Names of ``stats`` in order.
    public static let statNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]

    /// AP@[.5:.95] of one class (area all, largest maxDet), or nil when it has no counted object.
    public func averagePrecision(of label: String) -> Double? {
        guard let k = labels.firstIndex(of: label) else { return nil }
        let value = mean(precision: true, iou: nil, area: 0, maxDet: parameters.maxDetections.count - 1, label: k)
        return value < 0 ? nil : value
    }

    /// AP at IoU 0.5 of one class, or nil when it has no counted object.
    public func averagePrecision50(of label: String) -> Double? {
        guard let k = labels.firstIndex(of: label) else { return nil }
        let value = mean(precision: true, iou: 0, area: 0, maxDet: parameters.maxDetections.count - 1, label: k)
        return value < 0 ? nil : value
    }

    /// `_summarize`: the mean of the entries > −1 of the selected slice, or −1 if there are none.
    private func mean(precision usePrecision: Bool, iou: Int?, area: Int, maxDet: Int, label: Int? = nil) -> Double {
        let thresholds = iou.map { [$0] } ?? Array(parameters.iouThresholds.indices)
        let classes = label.map { [$0] } ?? Array(labels.indices)
        var sum = 0.0
        var count = 0
        for t in thresholds {
            for k in classes {
                if usePrecision {
                    for r in parameters.recallThresholds.indices {
                        let v = precision[[t, r, k, area, maxDet]]
                        if v > -1 { sum += v; count += 1 }
                    }
                } else {
                    let v = recall[[t, k, area, maxDet]]
                    if v > -1 { sum += v; count += 1 }
                }
            }
        }
        return count == 0 ? -1 : sum / Double(count)
    }
}
