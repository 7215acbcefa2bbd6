// Evaluation: detection metrics with the exact semantics of the reference tools, and readers for the usual layouts.
//
// - ``VOCEvaluator``: PASCAL VOC AP at IoU 0.5 as py-faster-rcnn's `voc_eval.py` computes it (+1 pixel areas, difficult
//   objects ignored, greedy matching by descending score, 11-point or area-under-curve AP).
// - ``COCOEvaluator``: pycocotools `COCOeval` for boxes (AP@[.5:.95], AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l).
// - ``VOCDatasetReader``, ``COCODatasetReader``: ground truth from disk; ``PredictionReader``: `ssdd detect` JSON Lines
//   or COCO results JSON.
//
// Everything is pure Swift and computes in Double, as numpy does.

/// Namespace for the module's shared constants.
public enum EvaluationDefaults {
    /// The IoU a VOC detection must exceed to count (strict `>`, as in `voc_eval.py`).
    public static let vocIoUThreshold = 0.5
}
