/// The annotations of a test set: its images (in evaluation order), its classes and its objects.
public struct GroundTruthSet: Sendable, Equatable {
    /// Image identifiers in the order the reference tool visits them (VOC image-set order; COCO ids ascending).
    public var images: [String]
    /// Class names in report order (VOC class list; COCO categories by ascending id).
    public var labels: [String]
    public var objects: [GroundTruthObject]
    /// Image file per image id, when the set was read from disk.
    public var imagePaths: [String: String]
    /// COCO category id → class name; empty for VOC, where COCO-style results use `index in labels + 1`.
    public var categoryNames: [Int: String]

    public init(
        images: [String], labels: [String], objects: [GroundTruthObject], imagePaths: [String: String] = [:],
        categoryNames: [Int: String] = [:]
    ) {
        self.images = images
        self.labels = labels
        self.objects = objects
        self.imagePaths = imagePaths
        self.categoryNames = categoryNames
    }

    /// The class name of a COCO-style category id.
    public func label(ofCategory id: Int) -> String? {
        if !categoryNames.isEmpty { return categoryNames[id] }
        return labels.indices.contains(id - 1) ? labels[id - 1] : nil
    }

    /// Checks that every detection names a known image; detections of unknown classes are allowed (and ignored).
    public func validate(_ detections: [ScoredDetection]) throws(EvaluationError) {
        let known = Set(images)
        if let stray = detections.first(where: { !known.contains($0.imageID) }) {
            throw EvaluationError.unknownImage(stray.imageID)
        }
    }
}
