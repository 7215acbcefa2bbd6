import Foundation

/// Reads COCO instances JSON (`images`, `annotations`, `categories`) as pycocotools' `COCO` does.
///
/// Images are ordered by ascending id and classes by ascending category id (pycocotools sorts both); an annotation
/// without `area` uses its box area, one without `iscrowd` is not a crowd.
public struct COCODatasetReader: Sendable {
    /// The annotation file.
    public var annotationFile: URL
    /// Where `file_name` paths are resolved.
    public var imageDirectory: URL

    public init(annotationFile: URL, imageDirectory: URL) {
        self.annotationFile = annotationFile
        self.imageDirectory = imageDirectory
    }

    /// Reads the whole file.
    public func read() throws(EvaluationError) -> GroundTruthSet {
        let file = annotationFile.path
        let data = try InputFile.contents(of: file, limit: JSONDocument.maxFileBytes)
        let document = try JSONDocument.decode(COCOInstancesFile.self, from: data, file: file)
        let categories = document.categories.map { (id: $0.id.value, name: $0.name) }.sorted { $0.id < $1.id }
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var paths: [String: String] = [:]
        for image in document.images {
            if let name = image.fileName { paths[String(image.id.value)] = imageDirectory.appendingPathComponent(name).path }
        }
        let known = Set(document.images.map(\.id.value))
        var objects: [GroundTruthObject] = []
        objects.reserveCapacity(document.annotations.count)
        for (i, annotation) in document.annotations.enumerated() {
            let image = annotation.imageID.value
            guard known.contains(image) else {
                throw EvaluationError.malformed(file: file, element: "annotations[\(i)].image_id", "image \(image) is not in `images`")
            }
            guard let label = names[annotation.categoryID.value] else {
                throw EvaluationError.malformed(file: file, element: "annotations[\(i)].category_id", "unknown category")
            }
            objects.append(
                GroundTruthObject(
                    imageID: String(image), label: label, box: annotation.bbox.box, isCrowd: annotation.isCrowd?.value ?? false,
                    area: annotation.area?.value, id: annotation.id?.value ?? i + 1))
        }
        return GroundTruthSet(
            images: known.sorted().map(String.init), labels: categories.map(\.name), objects: objects, imagePaths: paths,
            categoryNames: names)
    }
}
