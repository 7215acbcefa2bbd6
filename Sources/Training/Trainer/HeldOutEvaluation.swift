import Detection
import Evaluation
import Foundation
import Geometry
import ModelStore

/// VOC-protocol evaluation of a trained model file on a held-out split of a VOC-layout directory.
public enum HeldOutEvaluation {
    /// Runs the model's ``Detector`` (its own preprocessing, decoding and NMS) on every image of `split` and scores the
    /// detections with ``VOCEvaluator`` (IoU 0.5, `metric`). Detections are shifted to VOC's 1-based pixel corners, the
    /// inverse of `DetectionDataset.loadVOC`'s conversion. Images are read with `loadImage`.
    public static func voc(
        model url: URL, data root: URL, split: String, metric: VOCEvaluator.Metric = .elevenPoint, threads: Int = 2,
        loadImage: ImageLoader
    ) throws -> VOCResult {
        let model = try ModelFile(contentsOf: url)
        let labels = Array(model.manifest.labels.dropFirst())
        let truth = try VOCDatasetReader(root: root).read(split: split, labels: labels)
        let detector = try Detector(model: model, options: DetectorOptions(threads: threads))
        var detections: [ScoredDetection] = []
        for id in truth.images {
            guard let path = truth.imagePaths[id] else { throw EvaluationError.missing("image of \(id)") }
            let image = try loadImage(path)
            for d in try detector.detect(image) {
                detections.append(
                    ScoredDetection(
                        imageID: id, label: d.label, score: Double(d.score),
                        box: Box(x1: d.box.x1 + 1, y1: d.box.y1 + 1, x2: d.box.x2, y2: d.box.y2)))
            }
        }
        return try VOCEvaluator(metric: metric).evaluate(detections, groundTruth: truth)
    }
}
