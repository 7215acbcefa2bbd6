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
        guard let data = FileManager.default.contents(atPath: file) else { throw EvaluationError.missing(file) }
        let root = try JSONCursor.parse(data, file: file)
        var categories: [(id: Int, name: String)] = []
        for category in try root.member("categories").elements() {
            categories.append((try category.member("id").integer(), try category.member("name").string()))
        }
        categories.sort { $0.id < $1.id }
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var imageIDs: [Int] = []
        var paths: [String: String] = [:]
        for image in try root.member("images").elements() {
            let id = try image.member("id").integer()
            imageIDs.append(id)
            if let name = try image.optional("file_name") {
                paths[String(id)] = imageDirectory.appendingPathComponent(try name.string()).path
            }
        }
        let known = Set(imageIDs)
        var objects: [GroundTruthObject] = []
        for (i, annotation) in try root.member("annotations").elements().enumerated() {
            let imageCursor = try annotation.member("image_id")
            let image = try imageCursor.integer()
            guard known.contains(image) else { throw imageCursor.fail("image \(image) is not in `images`") }
            let categoryCursor = try annotation.member("category_id")
            guard let label = names[try categoryCursor.integer()] else { throw categoryCursor.fail("unknown category") }
            let box = try annotation.member("bbox").cocoBox()
            objects.append(GroundTruthObject(
                imageID: String(image), label: label, box: box, isCrowd: try annotation.optional("iscrowd")?.flag() ?? false,
                area: try annotation.optional("area")?.number(), id: try annotation.optional("id")?.integer() ?? i + 1))
        }
        return GroundTruthSet(
            images: known.sorted().map(String.init), labels: categories.map(\.name), objects: objects, imagePaths: paths,
            categoryNames: names)
    }
}
