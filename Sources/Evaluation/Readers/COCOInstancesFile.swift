/// The members of a COCO instances JSON file that evaluation and training read (others are ignored).
struct COCOInstancesFile: Decodable {
    /// `images[i]`: an id and, optionally, the image file's name.
    struct Image: Decodable {
        var id: IntegerNumber
        var fileName: String?

        enum CodingKeys: String, CodingKey {
            case id
            case fileName = "file_name"
        }
    }

    /// `categories[i]`: a category id and its class name.
    struct Category: Decodable {
        var id: IntegerNumber
        var name: String
    }

    /// `annotations[i]`: one object; `area`, `iscrowd` and `id` are optional.
    struct Annotation: Decodable {
        var id: IntegerNumber?
        var imageID: IntegerNumber
        var categoryID: IntegerNumber
        var bbox: COCOBox
        var area: FiniteNumber?
        var isCrowd: Flag?

        enum CodingKeys: String, CodingKey {
            case id, bbox, area
            case imageID = "image_id"
            case categoryID = "category_id"
            case isCrowd = "iscrowd"
        }
    }

    var images: [Image]
    var categories: [Category]
    var annotations: [Annotation]
}

/// One entry of a COCO results array.
struct COCOResultEntry: Decodable {
    var imageID: ImageKey
    var categoryID: IntegerNumber
    var bbox: COCOBox
    var score: FiniteNumber

    enum CodingKeys: String, CodingKey {
        case bbox, score
        case imageID = "image_id"
        case categoryID = "category_id"
    }
}

/// The members of an `ssdd detect` JSON line that evaluation reads.
struct DetectLine: Decodable {
    /// Only the record kind, read first so that other kinds are skipped whatever their members.
    struct Kind: Decodable {
        var kind: String?
    }

    /// One entry of `detections`.
    struct Entry: Decodable {
        var label: String
        var score: FiniteNumber
        var box: CornerBox
    }

    var stream: String
    var detections: [Entry]
}
