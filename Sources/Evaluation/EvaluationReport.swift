import Foundation

/// Everything `ssdd eval` reports: VOC07 and VOC2010+ mAP, the 12 COCO statistics and per-class AP.
public struct EvaluationReport: Sendable, Equatable, Codable {
    /// One class's line.
    public struct ClassLine: Sendable, Equatable, Codable {
        public var label: String
        /// Objects of the class (difficult and crowd included).
        public var objects: Int
        public var detections: Int
        /// VOC07 11-point AP at IoU 0.5; nil without non-difficult objects.
        public var voc07AP: Double?
        /// COCO AP@[.5:.95] and AP50; nil without counted objects.
        public var cocoAP: Double?
        public var cocoAP50: Double?
    }

    public var images: Int
    public var objects: Int
    public var detections: Int
    /// VOC07 11-point mAP at IoU 0.5.
    public var voc07MAP: Double
    /// VOC2010+ (area) mAP at IoU 0.5.
    public var vocAreaMAP: Double
    /// COCO statistics by name (``COCOResult/statNames``); −1 where undefined, as pycocotools prints.
    public var coco: [String: Double]
    public var classes: [ClassLine]

    /// Runs both evaluators.
    public init(detections: [ScoredDetection], groundTruth: GroundTruthSet) throws(EvaluationError) {
        let voc07 = try VOCEvaluator(metric: .elevenPoint).evaluate(detections, groundTruth: groundTruth)
        let vocArea = try VOCEvaluator(metric: .area).evaluate(detections, groundTruth: groundTruth)
        let cocoResult = try COCOEvaluator().evaluate(detections, groundTruth: groundTruth)
        images = groundTruth.images.count
        objects = groundTruth.objects.count
        self.detections = detections.count
        voc07MAP = voc07.meanAveragePrecision
        vocAreaMAP = vocArea.meanAveragePrecision
        coco = Dictionary(uniqueKeysWithValues: zip(COCOResult.statNames, cocoResult.stats))
        classes = groundTruth.labels.map { label in
            ClassLine(
                label: label, objects: groundTruth.objects.filter { $0.label == label }.count,
                detections: detections.filter { $0.label == label }.count, voc07AP: voc07.averagePrecision[label] ?? nil,
                cocoAP: cocoResult.averagePrecision(of: label), cocoAP50: cocoResult.averagePrecision50(of: label))
        }
    }

    /// A human-readable table: summary lines, the COCO statistics, then one row per class that has objects or detections.
    public func table() -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "     -" }
        var lines = ["images \(images)  objects \(objects)  detections \(detections)"]
        lines.append("VOC07 mAP@0.5 (11-point) \(f(voc07MAP))   VOC2010+ mAP@0.5 (area) \(f(vocAreaMAP))")
        lines.append("COCO " + COCOResult.statNames.map { "\($0) \(f(coco[$0]))" }.joined(separator: "  "))
        let width = max(5, classes.map(\.label.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        lines.append(pad("class", width) + "  objects  detections  VOC07 AP  COCO AP  COCO AP50")
        for c in classes where c.objects > 0 || c.detections > 0 {
            let objectsText = String(repeating: " ", count: max(0, 7 - String(c.objects).count)) + String(c.objects)
            let detectionsText = String(repeating: " ", count: max(0, 10 - String(c.detections).count)) + String(c.detections)
            lines.append("\(pad(c.label, width))  \(objectsText)  \(detectionsText)    \(f(c.voc07AP))   \(f(c.cocoAP))     \(f(c.cocoAP50))")
        }
        return lines.joined(separator: "\n")
    }
}
