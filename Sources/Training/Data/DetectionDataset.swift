import Evaluation
import Foundation
import Geometry
import Imaging

/// Decodes the image file at a path (JPEG, PNG, …) at its own size; `ssdd` passes MediaIO's `StillImage.decode`, so
/// Training itself needs no decoder (and no FFmpeg).
public typealias ImageLoader = (_ path: String) throws -> RGBImage

/// Training samples read from disk: annotations through Evaluation's readers, images through an ``ImageLoader``.
public enum DetectionDataset {
    /// Loads a VOC directory's `split` (see ``VOCDatasetReader``); returns the class names (slot = index + 1) and the
    /// samples, boxes converted from VOC's 1-based inclusive corners to ``DetectionSample``'s (`xmin − 1 … xmax`).
    public static func loadVOC(
        root: URL, split: String?, labels: [String]? = nil, loadImage: ImageLoader
    ) throws -> (labels: [String], samples: [DetectionSample]) {
        let truth = try VOCDatasetReader(root: root).read(split: split, labels: labels)
        // VOC corners are 1-based and inclusive: xmin − 1 … xmax in DetectionSample's continuous pixels.
        let samples = try samples(of: truth, shift: 1, loadImage: loadImage) { root.appendingPathComponent("Annotations/\($0).xml").path }
        return (truth.labels, samples)
    }

    /// Loads a COCO-format dataset (annotation JSON + image folder, see ``COCODatasetReader``); crowd regions are left
    /// out of training as torchvision's reference does. Returns the class names (slot = index + 1) and the samples.
    public static func loadCOCO(
        annotationFile: URL, imageDirectory: URL, loadImage: ImageLoader
    ) throws -> (labels: [String], samples: [DetectionSample]) {
        var truth = try COCODatasetReader(annotationFile: annotationFile, imageDirectory: imageDirectory).read()
        truth.objects.removeAll(where: \.isCrowd)
        // COCO boxes are continuous [x, y, w, h] pixels already.
        return (truth.labels, try samples(of: truth, shift: 0, loadImage: loadImage) { _ in annotationFile.path })
    }

    /// One sample per image of `truth`; `shift` is subtracted from the left/top corner; `source` names the annotation
    /// file of an image for errors.
    private static func samples(
        of truth: GroundTruthSet, shift: Double, loadImage: ImageLoader, source: (String) -> String
    ) throws -> [DetectionSample] {
        let objects = Dictionary(grouping: truth.objects, by: \.imageID)
        var samples: [DetectionSample] = []
        for id in truth.images {
            guard let path = truth.imagePaths[id] else { throw EvaluationError.missing("image of \(id)") }
            let image = try loadImage(path)
            var boxes: [Float] = [], classes: [Int] = [], difficult: [Bool] = []
            for object in objects[id] ?? [] {
                guard let slot = truth.labels.firstIndex(of: object.label) else {
                    throw EvaluationError.malformed(file: source(id), element: "object/name", "'\(object.label)' is not one of \(truth.labels)")
                }
                boxes += [Float(object.box.x1 - shift), Float(object.box.y1 - shift), Float(object.box.x2), Float(object.box.y2)]
                classes.append(slot + 1)
                difficult.append(object.difficult)
            }
            samples.append(DetectionSample(image: image, boxes: boxes, labels: classes, difficult: difficult))
        }
        return samples
    }
}
