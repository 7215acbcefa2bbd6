import Evaluation
import Foundation
import MediaIO

/// Training samples read from disk: annotations through Evaluation's readers, images decoded by MediaIO.
public enum DetectionDataset {
    /// Loads a VOC directory's `split` (see ``VOCDatasetReader``); returns the class names (slot = index + 1) and the
    /// samples, boxes converted from VOC's 1-based inclusive corners to ``DetectionSample``'s (`xmin − 1 … xmax`).
    public static func loadVOC(root: URL, split: String?, labels: [String]? = nil) throws -> (labels: [String], samples: [DetectionSample]) {
        let truth = try VOCDatasetReader(root: root).read(split: split, labels: labels)
        let objects = Dictionary(grouping: truth.objects, by: \.imageID)
        var samples: [DetectionSample] = []
        for id in truth.images {
            guard let path = truth.imagePaths[id] else { throw EvaluationError.missing("image of \(id)") }
            let image = try decodeImage(path)
            var boxes: [Float] = [], classes: [Int] = [], difficult: [Bool] = []
            for object in objects[id] ?? [] {
                guard let slot = truth.labels.firstIndex(of: object.label) else {
                    throw EvaluationError.malformed(file: root.appendingPathComponent("Annotations/\(id).xml").path, element: "object/name", "'\(object.label)' is not one of \(truth.labels)")
                }
                boxes += [Float(object.box.x1 - 1), Float(object.box.y1 - 1), Float(object.box.x2), Float(object.box.y2)]
                classes.append(slot + 1)
                difficult.append(object.difficult)
            }
            samples.append(DetectionSample(image: image, boxes: boxes, labels: classes, difficult: difficult))
        }
        return (truth.labels, samples)
    }

    /// Decodes the first frame of an image file (JPEG, PNG, …) at its own size.
    public static func decodeImage(_ path: String) throws -> RGBImage {
        let reader = try VideoReader(input: path)
        guard let frame = try reader.nextFrame() else { throw MediaError(.stream, input: path, message: "no picture in the file") }
        return frame.image
    }
}
