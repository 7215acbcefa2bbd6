import Foundation
import Geometry

/// Reads a PASCAL VOC directory: `Annotations/<id>.xml`, `ImageSets/Main/<split>.txt`, `JPEGImages/<file>`.
///
/// Boxes keep the annotation's values (1-based inclusive integer corners in real VOC), because `voc_eval.py` compares
/// them as they are with its +1 convention. `difficult` defaults to 0 when absent.
public struct VOCDatasetReader: Sendable {
    /// The 20 PASCAL VOC classes in the devkit's order.
    public static let pascalClasses = [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ]

    /// The VOC year directory (the one holding `Annotations/`).
    public var root: URL

    public init(root: URL) { self.root = root }

    /// Reads the images of `split` (all annotation files, sorted, when nil or when `ImageSets/Main/<split>.txt` is absent).
    ///
    /// Classes come from `labels`, else `labels.txt` in the root (one per line), else the 20 VOC classes when every
    /// name is one of them, else the names found, sorted.
    public func read(split: String? = nil, labels: [String]? = nil) throws(EvaluationError) -> GroundTruthSet {
        let ids = try imageIDs(split: split)
        var objects: [GroundTruthObject] = []
        var paths: [String: String] = [:]
        for id in ids {
            let annotation = try VOCAnnotation.read(root.appendingPathComponent("Annotations/\(id).xml"), imageID: id)
            objects += annotation.objects
            paths[id] = root.appendingPathComponent("JPEGImages/\(annotation.fileName ?? id + ".jpg")").path
        }
        let names = Set(objects.map(\.label))
        let classes: [String]
        if let labels {
            classes = labels
        } else if let text = try? String(contentsOf: root.appendingPathComponent("labels.txt"), encoding: .utf8) {
            classes = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else if names.isSubset(of: Self.pascalClasses) {
            classes = Self.pascalClasses
        } else {
            classes = names.sorted()
        }
        return GroundTruthSet(images: ids, labels: classes, objects: objects, imagePaths: paths)
    }

    /// Image ids of a split, in file order.
    func imageIDs(split: String?) throws(EvaluationError) -> [String] {
        if let split {
            let list = root.appendingPathComponent("ImageSets/Main/\(split).txt")
            if let text = try? String(contentsOf: list, encoding: .utf8) {
                // Per-class lists hold "id flag"; the id is the first field.
                return text.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) }
            }
        }
        let annotations = root.appendingPathComponent("Annotations")
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: annotations.path) else {
            throw EvaluationError.missing(annotations.path)
        }
        return files.filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted()
    }
}

/// One VOC annotation file.
struct VOCAnnotation {
    var fileName: String?
    var objects: [GroundTruthObject]

    /// Largest annotation file read (a VOC file is about 1 kB).
    static let maxFileBytes = 16 << 20

    /// Parses `url`; errors name the file and the element path, e.g. `annotation/object[2]/bndbox/xmin`, or the line
    /// and column of a syntax error.
    static func read(_ url: URL, imageID: String) throws(EvaluationError) -> VOCAnnotation {
        let data = try InputFile.contents(of: url.path, limit: maxFileBytes)
        let root: XMLNode
        do {
            root = try XMLNode.parse(data)
        } catch {
            throw EvaluationError.malformed(file: url.path, element: error.location, error.message)
        }
        guard root.name == "annotation" else {
            throw EvaluationError.malformed(file: url.path, element: root.name, "the root element must be <annotation>")
        }
        var objects: [GroundTruthObject] = []
        for (i, object) in root.children("object").enumerated() {
            let path = "annotation/object[\(i + 1)]"
            guard let name = object.child("name")?.text, !name.isEmpty else {
                throw EvaluationError.malformed(file: url.path, element: "\(path)/name", "missing or empty")
            }
            guard let box = object.child("bndbox") else {
                throw EvaluationError.malformed(file: url.path, element: "\(path)/bndbox", "missing")
            }
            func coordinate(_ key: String) throws(EvaluationError) -> Double {
                guard let text = box.child(key)?.text else {
                    throw EvaluationError.malformed(file: url.path, element: "\(path)/bndbox/\(key)", "missing")
                }
                guard let value = Double(text), value.isFinite else {
                    throw EvaluationError.malformed(file: url.path, element: "\(path)/bndbox/\(key)", "'\(text)' is not a number")
                }
                return value
            }
            let corners = Box(x1: try coordinate("xmin"), y1: try coordinate("ymin"), x2: try coordinate("xmax"), y2: try coordinate("ymax"))
            guard corners.x2 >= corners.x1, corners.y2 >= corners.y1 else {
                throw EvaluationError.malformed(file: url.path, element: "\(path)/bndbox", "xmax/ymax smaller than xmin/ymin")
            }
            var difficult = false
            if let flag = object.child("difficult")?.text {
                guard let value = Int(flag), value == 0 || value == 1 else {
                    throw EvaluationError.malformed(file: url.path, element: "\(path)/difficult", "'\(flag)' is not 0 or 1")
                }
                difficult = value == 1
            }
            objects.append(GroundTruthObject(imageID: imageID, label: name, box: corners, difficult: difficult, id: i + 1))
        }
        return VOCAnnotation(fileName: root.child("filename")?.text, objects: objects)
    }
}
