import Foundation
import Geometry

/// How a reduced-precision detector's detections differ from fp32's on the same images (issue 15's accuracy report):
/// detections are matched greedily, highest fp32 score first, to the unmatched detection of the same class with the
/// largest IoU, if that is at least ``minimumIoU``.
public struct PrecisionComparison: Sendable, Equatable {
    /// The IoU a pair needs to count as the same detection.
    public static let minimumIoU = 0.9

    /// fp32 detections.
    public var reference = 0
    /// Pairs matched at IoU ≥ ``minimumIoU``.
    public var matched = 0
    /// Matched pairs whose score changed by at least 0.01 or whose IoU is below 0.99.
    public var changed = 0
    /// fp32 detections with no match.
    public var disappeared = 0
    /// Reduced-precision detections with no match.
    public var appeared = 0
    /// Largest |Δscore| over matched pairs.
    public var maximumScoreDelta: Float = 0
    /// Smallest IoU over matched pairs (1 when none).
    public var minimumMatchedIoU = 1.0

    public init() {}

    /// Adds one image's detections.
    public mutating func add(reference fp32: [Detection], reduced: [Detection]) {
        reference += fp32.count
        var free = Array(reduced.indices)
        for d in fp32.sorted(by: { $0.score > $1.score }) {
            var best: (index: Int, iou: Double)?
            for (position, i) in free.enumerated() where reduced[i].classIndex == d.classIndex {
                let iou = d.box.intersectionOverUnion(with: reduced[i].box)
                if iou >= Self.minimumIoU, iou > (best?.iou ?? -1) { best = (position, iou) }
            }
            guard let best else {
                disappeared += 1
                continue
            }
            let other = reduced[free.remove(at: best.index)]
            let delta = abs(other.score - d.score)
            matched += 1
            maximumScoreDelta = max(maximumScoreDelta, delta)
            minimumMatchedIoU = min(minimumMatchedIoU, best.iou)
            if delta >= 0.01 || best.iou < 0.99 { changed += 1 }
        }
        appeared += free.count
    }

    /// One line: `matched 12/12 (changed 3), disappeared 0, appeared 1, max |Δscore| 0.0123, min IoU 0.974`.
    public var summary: String {
        "matched \(matched)/\(reference) (changed \(changed)), disappeared \(disappeared), appeared \(appeared), "
            + "max |Δscore| \(String(format: "%.4f", maximumScoreDelta)), min IoU \(String(format: "%.3f", minimumMatchedIoU))"
    }
}
